using System.Security.Cryptography;
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

    /// <summary>What the signature covers as the body: a hex SHA-256, <c>UNSIGNED-PAYLOAD</c>, or null when unsigned.</summary>
    public string? PayloadHash { get; set; }

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

    /// <summary>The signed payload hash to verify, or null when the body is unsigned (or streaming, refused earlier).</summary>
    public string? ExpectedSha256 => PayloadHash is { Length: 64 } hash ? hash : null;

    /// <summary>Reads a small body (XML configuration, delete lists) fully, verifying its signed hash and Content-MD5.</summary>
    public async Task<byte[]> ReadSmallBodyAsync(int maxBytes)
    {
        var length = Http.Request.ContentLength;
        if (length > maxBytes)
        {
            throw S3Errors.InvalidRequest($"The request body is larger than {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await Http.Request.Body.ReadAsync(chunk, Aborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw S3Errors.InvalidRequest($"The request body is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var body = buffer.ToArray();
        if (ExpectedSha256 is { } expected && !Convert.ToHexStringLower(SHA256.HashData(body)).Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw S3Errors.Sha256Mismatch();
        }

        if (ContentMd5() is { } md5 && !CryptographicOperations.FixedTimeEquals(md5, MD5.HashData(body)))
        {
            throw S3Errors.BadDigest();
        }

        return body;
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
    /// Receives an object body of the declared length into a temporary file, verifying the signed SHA-256 and
    /// Content-MD5 once it has all arrived; on a mismatch the data is dropped and nothing becomes visible.
    /// </summary>
    public async Task<IncomingData> ReceiveBodyAsync(long length)
    {
        var md5 = ContentMd5();
        IncomingData data;
        try
        {
            data = await Services.Engine.ReceiveAsync(Http.Request.Body, length, ExpectedSha256 is not null, Aborted).ConfigureAwait(false);
        }
        catch (IncompleteBodyException ex)
        {
            throw ex.TooLong ? S3Errors.InvalidRequest("The request body is longer than its Content-Length.") : S3Errors.IncompleteBody();
        }

        if (ExpectedSha256 is { } expected && !expected.Equals(data.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            data.Dispose();
            throw S3Errors.Sha256Mismatch();
        }

        if (md5 is not null && !CryptographicOperations.FixedTimeEquals(md5, data.Md5))
        {
            data.Dispose();
            throw S3Errors.BadDigest();
        }

        return data;
    }

    /// <summary>The body length of an upload: Content-Length (required), at most the largest object.</summary>
    public long DeclaredLength()
    {
        if (SigV4Signer.UnsignedPayload != PayloadHash && PayloadHash is not null && PayloadHash.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            throw S3Errors.NotImplemented($"The streaming payload mode {PayloadHash} (aws-chunked)");
        }

        var length = Http.Request.ContentLength ?? throw S3Errors.MissingContentLength();
        if (length > Services.Options.MaxObjectSize)
        {
            throw S3Errors.EntityTooLarge(Services.Options.MaxObjectSize);
        }

        return length;
    }
}

/// <summary>What the S3 handlers use.</summary>
internal sealed record S3Services(ObjectEngine Engine, BucketService Buckets, StorageUsage Usage, S3Authorizer Authorizer, StorageOptions Options, TimeProvider Time);
