using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Nimbus.Sdk.S3;

public sealed partial class S3Client
{
    /// <summary>Lists one page of a bucket's versions and delete markers (ListObjectVersions; keys asked URL-encoded and decoded).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="keyMarker">Optional. Start after this key (with <paramref name="versionIdMarker"/>: after that version of it).</param>
    /// <param name="versionIdMarker">Optional. Start after this version of <paramref name="keyMarker"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, up to 1000 entries.</returns>
    public async Task<S3VersionPage> ListObjectVersionsAsync(string bucket, string? keyMarker = null, string? versionIdMarker = null, CancellationToken cancellationToken = default)
    {
        var call = new S3Call(HttpMethod.Get, Bucket(bucket), null)
            .WithQuery("versions")
            .WithQuery("encoding-type", "url")
            .WithQuery("key-marker", keyMarker)
            .WithQuery("version-id-marker", versionIdMarker);
        var root = (await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false)).Root!;
        var encoded = string.Equals(S3ErrorParser.Child(root, "EncodingType"), "url", StringComparison.OrdinalIgnoreCase);
        string Decode(string? value) => value is null ? "" : encoded ? Uri.UnescapeDataString(value) : value;
        var truncated = string.Equals(S3ErrorParser.Child(root, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
        var nextVersion = S3ErrorParser.Child(root, "NextVersionIdMarker");
        return new S3VersionPage
        {
            Versions =
            [
                .. root.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker").Select(e => new S3ObjectVersion
                {
                    Key = Decode(S3ErrorParser.Child(e, "Key")),
                    VersionId = S3ErrorParser.Child(e, "VersionId") ?? "null",
                    IsDeleteMarker = e.Name.LocalName == "DeleteMarker",
                    IsLatest = string.Equals(S3ErrorParser.Child(e, "IsLatest"), "true", StringComparison.OrdinalIgnoreCase),
                    Size = long.Parse(S3ErrorParser.Child(e, "Size") ?? "0", CultureInfo.InvariantCulture),
                }),
            ],
            NextKeyMarker = truncated ? Decode(S3ErrorParser.Child(root, "NextKeyMarker")) : null,
            NextVersionIdMarker = truncated && !string.IsNullOrEmpty(nextVersion) ? nextVersion : null,
        };
    }

    /// <summary>Deletes up to 1000 versions or delete markers for good in one request (DeleteObjects with version ids).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="versions">Required. 1 to 1000 (key, version id) pairs; version id <c>null</c> (the text) is the null version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Which keys were deleted and which failed.</returns>
    public async Task<S3DeleteResult> DeleteObjectVersionsAsync(string bucket, IReadOnlyList<(string Key, string VersionId)> versions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count is 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(versions), versions.Count, "DeleteObjects takes 1 to 1000 versions.");
        }

        var document = new XElement("Delete", new XElement("Quiet", "true"), versions.Select(v => new XElement("Object", new XElement("Key", Key(v.Key)), new XElement("VersionId", v.VersionId))));
        var bytes = Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting));
        var call = new S3Call(HttpMethod.Post, Bucket(bucket), null) { Body = S3Body.FromBytes(bytes), BodyContentType = "application/xml" }.WithQuery("delete");
        var root = (await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false)).Root!;
        var errors = root.Elements().Where(e => e.Name.LocalName == "Error")
            .Select(e => new S3DeleteError(S3ErrorParser.Child(e, "Key") ?? "", S3ErrorParser.Child(e, "Code") ?? "InternalError", S3ErrorParser.Child(e, "Message") ?? ""))
            .ToList();
        var failed = errors.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        return new S3DeleteResult { Deleted = [.. versions.Select(v => v.Key).Where(k => !failed.Contains(k))], Errors = errors };
    }

    /// <summary>Lists one page of a bucket's multipart uploads in progress (ListMultipartUploads).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="keyMarker">Optional. Start after this key (with <paramref name="uploadIdMarker"/>: after that upload of it).</param>
    /// <param name="uploadIdMarker">Optional. Start after this upload of <paramref name="keyMarker"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, up to 1000 uploads.</returns>
    public async Task<S3UploadPage> ListMultipartUploadsAsync(string bucket, string? keyMarker = null, string? uploadIdMarker = null, CancellationToken cancellationToken = default)
    {
        var call = new S3Call(HttpMethod.Get, Bucket(bucket), null)
            .WithQuery("uploads")
            .WithQuery("encoding-type", "url")
            .WithQuery("key-marker", keyMarker)
            .WithQuery("upload-id-marker", uploadIdMarker);
        var root = (await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false)).Root!;
        var encoded = string.Equals(S3ErrorParser.Child(root, "EncodingType"), "url", StringComparison.OrdinalIgnoreCase);
        string Decode(string? value) => value is null ? "" : encoded ? Uri.UnescapeDataString(value) : value;
        var truncated = string.Equals(S3ErrorParser.Child(root, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
        return new S3UploadPage
        {
            Uploads = [.. root.Elements().Where(e => e.Name.LocalName == "Upload").Select(e => new S3UploadSummary(Decode(S3ErrorParser.Child(e, "Key")), S3ErrorParser.Child(e, "UploadId") ?? ""))],
            NextKeyMarker = truncated ? Decode(S3ErrorParser.Child(root, "NextKeyMarker")) : null,
            NextUploadIdMarker = truncated ? S3ErrorParser.Child(root, "NextUploadIdMarker") : null,
        };
    }
}
