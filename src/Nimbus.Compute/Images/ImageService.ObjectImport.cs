using System.Globalization;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;

namespace Nimbus.Compute.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Declares an image imported from an object of Nimbus object storage, as a long operation: the call checks what a
    /// user can get wrong — the fields, the name, that the object (or the version) exists, is not empty, fits the size
    /// limit, and that the caller may read it (<c>s3:GetObject</c>, <c>s3:GetObjectVersion</c> with a version, by the
    /// caller's identity and the bucket's policy, as a real cloud's import does) — and answers the image
    /// <c>pending</c>; the controller copies the version checked here (<see cref="FetchObjectAsync"/>) and unpacks it,
    /// so a multi-gigabyte import is not bound by the client's request timeout.
    /// </summary>
    public async Task<Resource> ImportFromObjectAsync(CallerContext caller, ImportImageFromObjectRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateName(errors, request.Name);
        ValidateDescription(errors, request.Description);
        if (string.IsNullOrEmpty(request.Bucket))
        {
            errors.Add("bucket", "is required: the bucket of the archive");
        }

        if (string.IsNullOrEmpty(request.Key))
        {
            errors.Add("key", "is required: the key of the archive (a rootfs tar, tar.gz or OCI image archive)");
        }

        if (request.VersionId is { } version && (version.Length is 0 or > 1024 || version.Any(char.IsControl)))
        {
            errors.Add("versionId", "must be a version id of the object, or left out for its current version");
        }

        errors.ThrowIfAny();
        var reader = objects ?? throw NimbusException.Unavailable("Object storage is not part of this server; import the archive with a file upload.");
        await RequireFreeNameAsync(caller.Account, request.Name!, cancellationToken).ConfigureAwait(false);
        var found = await reader.AuthorizeReadAsync(caller, request.Bucket!, request.Key!, request.VersionId, options.MaxImageUploadBytes, cancellationToken).ConfigureAwait(false);
        if (found.Size == 0)
        {
            throw NimbusException.Invalid("key", $"names an empty object (s3://{request.Bucket}/{request.Key}): it must be an archive (tar, tar.gz or OCI image archive)");
        }

        var spec = new ImageSpec
        {
            Description = request.Description,
            Os = "linux",
            Architecture = NodeArchitecture(),
            Source = ImportSource,
            SourceObject = new ImageSourceObject { Bucket = request.Bucket!, Key = request.Key!, VersionId = found.VersionId, ETag = found.ETag, SizeBytes = found.Size },
            Environment = DefaultEnvironment,
        };
        return await CreateAsync(NewImage(caller.Account, request.Name!, spec), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The controller's half of an object import: copies the version the call checked to the upload file, unless an
    /// earlier run (before a restart) finished the copy. The copy goes to a side file renamed into place when whole,
    /// so a restart midway starts the copy over and never unpacks half an archive. A version deleted or overwritten
    /// since the call, or an I/O failure, is a <see cref="NodeException"/>: the image fails with the reason.
    /// </summary>
    internal async Task FetchObjectAsync(string imageId, ImageSourceObject source, ImageProgress progress, CancellationToken cancellationToken)
    {
        var upload = UploadPath(imageId);
        if (File.Exists(upload))
        {
            return;
        }

        var reader = objects ?? throw new NodeException("object storage is not part of this server; the archive cannot be read");
        var partial = PartialUploadPath(imageId);
        Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
        var url = $"s3://{source.Bucket}/{source.Key}";
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 256 * 1024, useAsync: true))
            {
                var counting = new ProgressStream(file, source.SizeBytes, url, progress);
                await reader.CopyVersionToAsync(source.Bucket, source.Key, source.VersionId, source.ETag, counting, options.MaxImageUploadBytes, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, upload);
        }
        catch (NimbusException ex)
        {
            File.Delete(partial);
            throw new NodeException($"reading {url} (version {source.VersionId}) failed: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            File.Delete(partial);
            throw new NodeException($"copying {url} to the node failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException)
        {
            // Deleted meanwhile, or the platform stops: a restart copies again from the start.
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Where an object import's copy grows until it is whole.</summary>
    internal string PartialUploadPath(string imageId) => UploadPath(imageId) + ".part";

    /// <summary>Reports how much of the object has been copied, as the bytes go by (the writer throttles the store writes).</summary>
    private sealed class ProgressStream(Stream inner, long? total, string url, ImageProgress progress) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            _written += count;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            _written += buffer.Length;
            var of = total is { } size ? string.Create(CultureInfo.InvariantCulture, $" of {size / 1048576.0:0.0}") : "";
            await progress(string.Create(CultureInfo.InvariantCulture, $"copying {url}: {_written / 1048576.0:0.0}{of} MiB"), cancellationToken).ConfigureAwait(false);
        }
    }
}
