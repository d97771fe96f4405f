using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// Turns an uploaded archive into a root filesystem: a tar or tar.gz is unpacked safely; when it is an OCI image
/// archive (an OCI layout: <c>oci-layout</c> and <c>index.json</c> at its top, as <c>skopeo copy ... oci-archive:</c>
/// and <c>umoci</c> make), the image's layers are applied in order into the root filesystem instead.
/// </summary>
internal static class ArchiveImporter
{
    public sealed record Result(ImageConfig? Config, string Format, long Skipped, IReadOnlyList<string> Warnings);

    /// <summary>Writes <c>&lt;staging&gt;/rootfs</c> from <paramref name="archivePath"/>; the caller removes the staging directory on failure.</summary>
    public static async Task<Result> ImportAsync(string archivePath, string staging, string nodeArchitecture, Func<ImageLimits> limits, ImageProgress progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(archivePath))
        {
            throw new NodeException("the uploaded archive is no longer on the node; import the image again");
        }

        var unpacked = Path.Combine(staging, "unpacked");
        var rootfs = Path.Combine(staging, "rootfs");
        await progress("unpacking the archive", cancellationToken).ConfigureAwait(false);
        var writer = new RootfsWriter(unpacked, limits());
        string compression;
        await using (var file = File.OpenRead(archivePath))
        {
            await using var tar = await OciImage.DecompressAsync(file, "the archive", cancellationToken).ConfigureAwait(false);
            compression = tar switch { System.IO.Compression.GZipStream => "gzip", ZstdDecompressStream => "zstd", _ => "" };
            await writer.ApplyAsync(tar, whiteouts: false, cancellationToken).ConfigureAwait(false);
        }

        var compressed = compression.Length > 0 ? "+" + compression : "";
        if (OciImage.IsLayout(unpacked))
        {
            var layers = new RootfsWriter(rootfs, limits());
            var config = await OciImage.UnpackAsync(unpacked, layers, nodeArchitecture, progress, cancellationToken).ConfigureAwait(false);
            Directory.Delete(unpacked, recursive: true);
            return new Result(config, "oci-archive" + compressed, layers.Skipped, layers.Warnings);
        }

        if (File.Exists(Path.Combine(unpacked, "manifest.json")) && File.Exists(Path.Combine(unpacked, "repositories")))
        {
            throw new NodeException("the archive is a 'docker save' archive, not an OCI image; convert it: skopeo copy docker-archive:FILE oci-archive:FILE.oci");
        }

        if (!Directory.EnumerateFileSystemEntries(unpacked).Any())
        {
            throw new NodeException("the archive is empty");
        }

        Directory.Move(unpacked, rootfs);
        return new Result(null, compression.Length > 0 ? "rootfs-tar-" + compression : "rootfs-tar", writer.Skipped, writer.Warnings);
    }
}
