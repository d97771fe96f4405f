using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;

namespace Nimbus.Compute.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Imports an image from an object of Nimbus object storage, read in process as the caller: storage authorizes
    /// <c>s3:GetObject</c> (<c>s3:GetObjectVersion</c>) on it with the caller's identity and the bucket's policy, as a
    /// real cloud's import does, and copies it through its verified read path to the upload file; the controller
    /// then unpacks it as it does an uploaded archive. A refused, missing or too large object leaves nothing.
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

        var image = NewImage(caller.Account, request.Name!, new ImageSpec { Os = "linux", Architecture = "", Source = ImportSource });
        var upload = UploadPath(image.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
        try
        {
            Core.Storage.StoredObjectInfo read;
            await using (var file = new FileStream(upload, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 256 * 1024, useAsync: true))
            {
                read = await reader.CopyToAsync(caller, request.Bucket!, request.Key!, request.VersionId, file, options.MaxImageUploadBytes, cancellationToken).ConfigureAwait(false);
            }

            if (read.Size == 0)
            {
                throw NimbusException.Invalid("key", $"names an empty object (s3://{request.Bucket}/{request.Key}): it must be an archive (tar, tar.gz or OCI image archive)");
            }

            var spec = new ImageSpec
            {
                Description = request.Description,
                Os = "linux",
                Architecture = NodeArchitecture(),
                Source = ImportSource,
                SourceObject = new ImageSourceObject { Bucket = request.Bucket!, Key = request.Key!, VersionId = read.VersionId, ETag = read.ETag },
                Environment = DefaultEnvironment,
            };
            return await CreateAsync(image with { Spec = System.Text.Json.JsonSerializer.SerializeToElement(spec, NimbusJson.Options) }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(upload);
            throw;
        }
    }
}
