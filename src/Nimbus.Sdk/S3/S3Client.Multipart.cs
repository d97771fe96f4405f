using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Nimbus.Sdk.S3;

public sealed partial class S3Client
{
    /// <summary>Starts a multipart upload (CreateMultipartUpload).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Key of the object to be.</param>
    /// <param name="options">Optional. Content type and metadata of the object to be.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The upload id.</returns>
    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, S3PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The object's type travels as the Content-Type of this bodiless request.
        var call = new S3Call(HttpMethod.Post, Bucket(bucket), Key(key)) { ReplaySafe = false, BodyContentType = options?.ContentType }.WithQuery("uploads");
        AddMetadata(call, options?.Metadata);
        var document = await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false);
        return S3ErrorParser.Child(document.Root!, "UploadId") ?? throw new IOException("CreateMultipartUpload answered no UploadId.");
    }

    /// <summary>Uploads one part (UploadPart): 5 MiB at least, but for the last part.</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="uploadId">Required. From <see cref="CreateMultipartUploadAsync"/>.</param>
    /// <param name="partNumber">1 to 10,000.</param>
    /// <param name="content">The part's bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The part, for <see cref="CompleteMultipartUploadAsync"/>.</returns>
    public Task<S3CompletedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        UploadPartAsync(bucket, key, uploadId, partNumber, S3Body.FromBytes(content), cancellationToken);

    /// <summary>Completes a multipart upload (CompleteMultipartUpload); an error the server reports inside a 200 answer is thrown.</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="uploadId">Required. The upload id.</param>
    /// <param name="parts">Required. The parts, in ascending part number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object's ETag, <c>"md5-of-part-md5s-N"</c>.</returns>
    public async Task<string> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<S3CompletedPart> parts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentNullException.ThrowIfNull(parts);
        var document = new XElement(
            "CompleteMultipartUpload",
            parts.Select(p => new XElement("Part", new XElement("PartNumber", p.PartNumber.ToString(CultureInfo.InvariantCulture)), new XElement("ETag", p.ETag))));
        var bytes = Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting));
        var call = new S3Call(HttpMethod.Post, Bucket(bucket), Key(key)) { Body = S3Body.FromBytes(bytes), BodyContentType = "application/xml", ReplaySafe = false }
            .WithQuery("uploadId", uploadId);
        var result = await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false);
        return S3ErrorParser.Child(result.Root!, "ETag") ?? throw new IOException("CompleteMultipartUpload answered no ETag.");
    }

    /// <summary>Abandons a multipart upload and frees its parts (AbortMultipartUpload).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="uploadId">Required. The upload id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the upload is gone.</returns>
    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        using var answer = await SendAsync(new S3Call(HttpMethod.Delete, Bucket(bucket), Key(key)).WithQuery("uploadId", uploadId), cancellationToken).ConfigureAwait(false);
    }

    internal async Task<S3CompletedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, S3Body body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, S3ClientOptions.MaxParts);
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), Key(key)) { Body = body, PayloadSigning = Options.PayloadSigning }
            .WithQuery("partNumber", partNumber.ToString(CultureInfo.InvariantCulture))
            .WithQuery("uploadId", uploadId);
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        return new S3CompletedPart(partNumber, CheckETag(answer, key));
    }
}
