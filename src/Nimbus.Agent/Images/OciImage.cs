using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// Reads an OCI image layout (image-spec: <c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/...</c>) and applies
/// its image to a root filesystem: index → manifest (the node's platform when the index lists several) → config and
/// layers, every blob checked against its digest, layers applied in order with whiteouts.
/// </summary>
internal static class OciImage
{
    private const long MaxJsonBytes = 4 * 1024 * 1024;
    private static readonly string[] IndexTypes = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

    public static bool IsLayout(string directory) =>
        File.Exists(Path.Combine(directory, "oci-layout")) && File.Exists(Path.Combine(directory, "index.json"));

    /// <summary>Applies the image of <paramref name="layout"/> to <paramref name="writer"/>; returns the config's defaults.</summary>
    public static async Task<ImageConfig> UnpackAsync(string layout, RootfsWriter writer, string nodeArchitecture, ImageProgress progress, CancellationToken cancellationToken)
    {
        using var index = await ReadJsonAsync(Path.Combine(layout, "index.json"), "index.json", cancellationToken).ConfigureAwait(false);
        var descriptor = ChooseManifest(index.RootElement, nodeArchitecture, "index.json");
        JsonDocument? nested = null;
        try
        {
            if (IndexTypes.Contains(MediaType(descriptor)))
            {
                nested = await ReadBlobJsonAsync(layout, descriptor, cancellationToken).ConfigureAwait(false);
                descriptor = ChooseManifest(nested.RootElement, nodeArchitecture, "the nested index");
            }

            using var manifest = await ReadBlobJsonAsync(layout, descriptor, cancellationToken).ConfigureAwait(false);
            if (!manifest.RootElement.TryGetProperty("config", out var configDescriptor) || !manifest.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new NodeException("the image manifest has no config or no layers; it is not an OCI image manifest");
            }

            using var config = await ReadBlobJsonAsync(layout, configDescriptor, cancellationToken).ConfigureAwait(false);
            var architecture = config.RootElement.TryGetProperty("architecture", out var arch) && arch.ValueKind == JsonValueKind.String ? arch.GetString() : null;
            if (architecture is not null && architecture != nodeArchitecture)
            {
                throw new NodeException($"the image is for {architecture}; this node runs {nodeArchitecture} binaries");
            }

            var count = layers.GetArrayLength();
            var number = 0;
            foreach (var layer in layers.EnumerateArray())
            {
                number++;
                await progress($"applying layer {number} of {count}", cancellationToken).ConfigureAwait(false);
                var path = BlobPath(layout, layer);
                await VerifyDigestAsync(path, Digest(layer), cancellationToken).ConfigureAwait(false);
                await using var blob = File.OpenRead(path);
                await using var content = await DecompressAsync(blob, $"layer {number}", cancellationToken).ConfigureAwait(false);
                await writer.ApplyAsync(content, whiteouts: true, cancellationToken).ConfigureAwait(false);
            }

            return ReadConfig(config.RootElement, architecture);
        }
        finally
        {
            nested?.Dispose();
        }
    }

    /// <summary>A stream of the tar inside: gzip is undone here, zstd by Debian's <c>zstd</c>; xz and bzip2 are refused with what to do.</summary>
    public static async Task<Stream> DecompressAsync(FileStream file, string what, CancellationToken cancellationToken)
    {
        var magic = new byte[6];
        var read = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        file.Position = 0;
        if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            return new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        }

        if (read >= 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD)
        {
            // OCI's application/vnd.oci.image.layer.v1.tar+zstd (and .tar.zst archives): told by its magic, as gzip is.
            return ZstdDecompressStream.Start(file, what);
        }

        var compression = read >= 6 && magic[0] == 0xFD && magic[1] == (byte)'7' && magic[2] == (byte)'z' && magic[3] == (byte)'X' ? "xz"
            : read >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h' ? "bzip2"
            : null;
        if (compression is not null)
        {
            throw new NodeException($"{what} is {compression}-compressed; images are imported from tar, or tar compressed with gzip or zstd (recompress it, or skopeo copy --dest-compress-format gzip)");
        }

        return new NonClosingStream(file);
    }

    private static ImageConfig ReadConfig(JsonElement root, string? architecture)
    {
        var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        IReadOnlyList<string> Strings(string name) =>
            config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
                ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
                : [];
        var workingDirectory = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("WorkingDir", out var w) && w.ValueKind == JsonValueKind.String && w.GetString() is { Length: > 0 } dir ? dir : null;
        if (workingDirectory is not null && !workingDirectory.StartsWith('/'))
        {
            workingDirectory = "/" + workingDirectory;
        }

        return new ImageConfig
        {
            Command = [.. Strings("Entrypoint"), .. Strings("Cmd")],
            Environment = Strings("Env"),
            WorkingDirectory = workingDirectory,
            Architecture = architecture,
        };
    }

    private static JsonElement ChooseManifest(JsonElement index, string nodeArchitecture, string where)
    {
        if (!index.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array || manifests.GetArrayLength() == 0)
        {
            throw new NodeException($"{where} lists no image manifest");
        }

        if (manifests.GetArrayLength() == 1)
        {
            return manifests[0];
        }

        var platforms = new List<string>();
        foreach (var manifest in manifests.EnumerateArray())
        {
            var os = Platform(manifest, "os");
            var arch = Platform(manifest, "architecture");
            platforms.Add($"{os ?? "?"}/{arch ?? "?"}");
            if (os is null or "linux" && arch == nodeArchitecture)
            {
                return manifest;
            }
        }

        throw new NodeException($"{where} lists {manifests.GetArrayLength()} images ({string.Join(", ", platforms)}) and none is for linux/{nodeArchitecture}");
    }

    private static string? Platform(JsonElement descriptor, string field) =>
        descriptor.TryGetProperty("platform", out var platform) && platform.ValueKind == JsonValueKind.Object && platform.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? MediaType(JsonElement descriptor) =>
        descriptor.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static async Task<JsonDocument> ReadBlobJsonAsync(string layout, JsonElement descriptor, CancellationToken cancellationToken)
    {
        var path = BlobPath(layout, descriptor);
        await VerifyDigestAsync(path, Digest(descriptor), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(path, Digest(descriptor), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonDocument> ReadJsonAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length > MaxJsonBytes)
        {
            throw new NodeException($"{what} is larger than {MaxJsonBytes} bytes; it is not an image manifest or config");
        }

        try
        {
            await using var file = File.OpenRead(path);
            return await JsonDocument.ParseAsync(file, new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new NodeException($"{what} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string Digest(JsonElement descriptor) =>
        descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("digest", out var digest) && digest.ValueKind == JsonValueKind.String
            ? digest.GetString()!
            : throw new NodeException("a descriptor of the image has no digest");

    /// <summary>The blob file of a descriptor; only <c>sha256:</c> and 64 hex digits, so a digest can never name a path elsewhere.</summary>
    private static string BlobPath(string layout, JsonElement descriptor)
    {
        var digest = Digest(descriptor);
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : null;
        if (hex is not { Length: 64 } || hex.AsSpan().ContainsAnyExcept("0123456789abcdef"))
        {
            throw new NodeException($"the image refers to the blob '{RootfsWriter.Show(digest)}'; only sha256 digests are supported");
        }

        var path = Path.Combine(layout, "blobs", "sha256", hex);
        if (!File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw new NodeException($"the blob {digest} the image refers to is not in the archive");
        }

        return path;
    }

    private static async Task VerifyDigestAsync(string path, string digest, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        if ("sha256:" + actual != digest)
        {
            throw new NodeException($"the blob {digest} does not match its digest (sha256:{actual}); the archive is damaged");
        }
    }

    /// <summary>Hands the file out without closing it with the reader (the caller owns it).</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
