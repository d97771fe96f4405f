using Nimbus.Contracts.Checksums;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>One S3 request on its way through the S3 pipeline: where it points, who calls, what was decided.</summary>
internal sealed class S3Context
{
    public S3Context(HttpContext http, S3Request request, S3Services services)
    {
        Http = http;
        Request = request;
        Services = services;
    }

    public HttpContext Http { get; }

    public S3Request Request { get; }

    public S3Services Services { get; }

    /// <summary>The authenticated caller; null for an anonymous (unsigned) request.</summary>
    public CallerContext? Caller { get; set; }

    /// <summary>The <c>Access-Control-*</c> headers the bucket's CORS configuration grants this request (error answers carry them too).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? CorsHeaders { get; set; }

    /// <summary>The last authorization asked, for the audit trail.</summary>
    public string? Action { get; set; }

    public IReadOnlyList<string> Resources { get; set; } = [];

    public CancellationToken Aborted => Http.RequestAborted;

    public HttpResponse Response => Http.Response;

    public IHeaderDictionary Headers => Http.Request.Headers;

    public string Method => Http.Request.Method;

    public string BucketName => Request.Bucket ?? throw S3Errors.InvalidRequest("This request needs a bucket.");

    public byte[] KeyBytes => Request.KeyBytes ?? throw S3Errors.InvalidRequest("This request needs an object key.");

    public string ObjectArn => BucketService.ArnPrefix + BucketName + "/" + Request.Key;

    public string BucketArn => BucketService.ArnPrefix + BucketName;

    /// <summary>The request's bucket, whoever owns it; <c>NoSuchBucket</c> when it does not exist.</summary>
    public async Task<BucketEntry> BucketAsync() =>
        await Services.Buckets.FindAsync(BucketName, Aborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(BucketName);

    /// <summary>Authorizes <paramref name="action"/> on <paramref name="resource"/>; throws <c>AccessDenied</c> when refused.</summary>
    public Task AuthorizeAsync(string action, string resource, BucketEntry? bucket, IReadOnlyDictionary<string, IReadOnlyList<string>>? conditionKeys = null)
    {
        Action = action;
        Resources = [resource];
        return Services.Authorizer.AuthorizeAsync(this, action, resource, bucket, conditionKeys);
    }

    /// <summary>What signature verification established (payload hash, chunk signing); null for an anonymous request.</summary>
    public SigV4Result? Authentication { get; set; }

    /// <summary>
    /// Reads a small body (XML configuration, delete lists, part lists) fully, plain or aws-chunked, verifying
    /// its signed hash, Content-MD5 and checksum header or trailer.
    /// </summary>
    public async Task<byte[]> ReadSmallBodyAsync(int maxBytes, bool checksumHeadersDescribeBody = true)
    {
        using var body = RequestBody.Open(this, computeMd5: false, defaultChecksum: null, checksumHeadersDescribeBody);
        if (body.Length > maxBytes)
        {
            throw S3Errors.InvalidRequest($"The request body is larger than {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.Stream.ReadAsync(chunk, Aborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw S3Errors.InvalidRequest($"The request body is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The decoded Content-MD5 header; <c>InvalidDigest</c> when it is not 16 bytes of base64.</summary>
    public byte[]? ContentMd5()
    {
        var header = Headers["Content-MD5"].ToString();
        if (header.Length == 0)
        {
            return null;
        }

        var bytes = new byte[16];
        return Convert.TryFromBase64String(header, bytes, out var written) && written == 16 ? bytes : throw S3Errors.InvalidDigest();
    }

    /// <summary>
    /// Opens an upload's body (PUT, UploadPart): its length is Content-Length for a plain body and
    /// <c>x-amz-decoded-content-length</c> for an aws-chunked one (which may come without Content-Length),
    /// at most the largest object. <paramref name="defaultChecksum"/> is computed when the request names none.
    /// </summary>
    public RequestBody OpenUpload(ChecksumAlgorithm? defaultChecksum)
    {
        var body = RequestBody.Open(this, computeMd5: true, defaultChecksum);
        try
        {
            var length = body.Length ?? throw S3Errors.MissingContentLength();
            if (length > Services.Options.MaxObjectSize)
            {
                throw S3Errors.EntityTooLarge(Services.Options.MaxObjectSize);
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Receives an upload's payload into a temporary file; every check (length, hashes, chunk signatures,
    /// trailer, checksum) passes before this returns, otherwise the data is dropped and nothing becomes visible.
    /// </summary>
    public async Task<IncomingData> ReceiveBodyAsync(RequestBody body, bool allowInline)
    {
        IncomingData data;
        try
        {
            data = await Services.Engine.ReceiveAsync(body.Stream, body.Length!.Value, allowInline, Aborted).ConfigureAwait(false);
        }
        catch (IncompleteBodyException ex)
        {
            throw ex.TooLong ? S3Errors.InvalidRequest("The request body is longer than its declared length.") : S3Errors.IncompleteBody();
        }

        data.SetDigests(body.Md5, body.Checksum);
        return data;
    }
}

/// <summary>What the S3 handlers use.</summary>
internal sealed record S3Services(ObjectEngine Engine, BucketService Buckets, StorageUsage Usage, S3Authorizer Authorizer, StorageOptions Options, TimeProvider Time, Iam.Policies.IActionCatalog Actions);
