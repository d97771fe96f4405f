using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Tests.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>
/// Bodies framed by AWSSDK.Core's own streams (ChunkedUploadWrapperStream, TrailingHeadersWrapperStream) and
/// signed by its AWS4Signer: the request verifies, and the body decodes and verifies with our stream.
/// </summary>
public sealed class AwsSdkChunkedInteropTests
{
    private const string AccessKeyId = "NIMBUSKEY1";
    private const string Secret = "nimbus/secret+KEY=";

    [Theory]
    [InlineData(0, CoreChecksumAlgorithm.NONE)]
    [InlineData(1, CoreChecksumAlgorithm.NONE)]
    [InlineData(200_000, CoreChecksumAlgorithm.NONE)]
    [InlineData(200_000, CoreChecksumAlgorithm.CRC32)]
    [InlineData(81_920, CoreChecksumAlgorithm.SHA256)]
    [InlineData(5, CoreChecksumAlgorithm.SHA1)]
    public async Task Signed_chunked_body_from_the_AWS_SDK_decodes_and_verifies(int length, CoreChecksumAlgorithm checksum)
    {
        byte[] payload = RoundTripTests.Payload(length);
        DefaultRequest request = SdkRequest(payload);
        if (checksum != CoreChecksumAlgorithm.NONE)
        {
            request.TrailingHeaders["x-amz-checksum-" + checksum.ToString().ToLowerInvariant()] = "";
        }

        AWS4SigningResult signing = new AWS4Signer().SignRequest(request, new AwsSdkClientConfig("local", "s3"), null, AccessKeyId, Secret);
        request.Headers["Authorization"] = signing.ForAuthorizationHeader;
        request.Headers["x-amz-content-sha256"].ShouldBe(checksum == CoreChecksumAlgorithm.NONE ? AwsChunkedPayload.Signed : AwsChunkedPayload.SignedWithTrailer);
        using var sdkBody = new ChunkedUploadWrapperStream(new MemoryStream(payload), 81920, signing, checksum, request.TrailingHeaders, Cached());
        byte[] body = await AwsExampleTests.ReadAllAsync(sdkBody);

        SigV4Result result = await VerifyAsync(request);
        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.ChunkSigning.ShouldNotBeNull().SeedSignature.ShouldBe(signing.Signature);
        var options = AwsChunkedDecodingOptions.FromRequest(Headers(request), result);
        using var decoder = new AwsChunkedDecodingStream(new TrickleStream(body, length, 30_000), options);

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe(payload);

        if (checksum != CoreChecksumAlgorithm.NONE)
        {
            ChecksumAlgorithms.TryParse(checksum.ToString(), out ChecksumAlgorithm algorithm).ShouldBeTrue();
            decoder.ChecksumValue.ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, payload));
        }
    }

    [Theory]
    [InlineData(0, CoreChecksumAlgorithm.CRC32)]
    [InlineData(100_000, CoreChecksumAlgorithm.CRC32)]
    [InlineData(100_000, CoreChecksumAlgorithm.SHA256)]
    [InlineData(7, CoreChecksumAlgorithm.SHA1)]
    public async Task Unsigned_trailer_body_from_the_AWS_SDK_decodes_and_verifies(int length, CoreChecksumAlgorithm checksum)
    {
        byte[] payload = RoundTripTests.Payload(length);
        DefaultRequest request = SdkRequest(payload);
        string trailer = "x-amz-checksum-" + checksum.ToString().ToLowerInvariant();
        request.TrailingHeaders[trailer] = "";
        request.DisablePayloadSigning = true;
        request.Endpoint = new Uri("https://localhost:8443/");
        AWS4SigningResult signing = new AWS4Signer().SignRequest(request, new AwsSdkClientConfig("local", "s3"), null, AccessKeyId, Secret);
        request.Headers["Authorization"] = signing.ForAuthorizationHeader;
        request.Headers["x-amz-content-sha256"].ShouldBe(AwsChunkedPayload.UnsignedWithTrailer);
        using var sdkBody = new TrailingHeadersWrapperStream(new MemoryStream(payload), new Dictionary<string, string> { [trailer] = "" }, checksum, Cached());
        byte[] body = await AwsExampleTests.ReadAllAsync(sdkBody);

        SigV4Result result = await VerifyAsync(request);
        result.Succeeded.ShouldBeTrue(result.ToString());
        result.ChunkSigning.ShouldBeNull();
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), AwsChunkedDecodingOptions.FromRequest(Headers(request), result));

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe(payload);
        decoder.Trailers.Keys.ShouldBe([trailer]);
    }

    [Fact]
    public async Task Our_encoder_produces_the_same_signed_trailer_body_as_the_AWS_SDK()
    {
        byte[] payload = RoundTripTests.Payload(200_000);
        DefaultRequest request = SdkRequest(payload);
        request.TrailingHeaders["x-amz-checksum-crc32"] = "";
        AWS4SigningResult signing = new AWS4Signer().SignRequest(request, new AwsSdkClientConfig("local", "s3"), null, AccessKeyId, Secret);
        using var sdkBody = new ChunkedUploadWrapperStream(
            new MemoryStream(payload), 81920, signing, CoreChecksumAlgorithm.CRC32, request.TrailingHeaders, Cached());

        var options = new AwsChunkedEncodingOptions
        {
            Mode = AwsChunkedMode.SignedPayloadTrailer,
            ChunkSigning = SigV4ChunkSigningContext.Create(Secret, request.Headers["X-Amz-Date"], "local", "s3", signing.Signature),
            ChunkSize = 81920,
            TrailerChecksum = ChecksumAlgorithm.Crc32,
        };
        using var ours = new AwsChunkedEncodingStream(new MemoryStream(payload), options);
        byte[] encoded = await AwsExampleTests.ReadAllAsync(ours);

        // Identical but for the case of hex digits in chunk sizes: the SDK writes them in upper case.
        string theirs = System.Text.Encoding.Latin1.GetString(await AwsExampleTests.ReadAllAsync(sdkBody));
        string lastSize = (payload.Length % 81920).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        theirs = theirs.Replace("\n" + lastSize + ";", "\n" + lastSize.ToLowerInvariant() + ";", StringComparison.Ordinal);
        System.Text.Encoding.Latin1.GetString(encoded).ShouldBe(theirs);
        AwsChunkedEncodingStream.GetEncodedLength(payload.Length, options).ShouldBe(encoded.Length);
    }

    private static CachedChecksum Cached() => new() { OnComplete = _ => { } };

    private static DefaultRequest SdkRequest(byte[] payload)
    {
        var request = new DefaultRequest(new AwsSdkServiceRequest(), "S3")
        {
            HttpMethod = "PUT",
            Endpoint = new Uri("http://localhost:8080/"),
            ResourcePath = "/bucket/photos/2025 summer.jpg",
            UseChunkEncoding = true,
        };
        request.Headers["Content-Encoding"] = "aws-chunked";
        request.Headers["x-amz-decoded-content-length"] = payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return request;
    }

    private static SigV4HeaderCollection Headers(IRequest request)
    {
        var headers = new SigV4HeaderCollection();
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            headers.Add(header.Key, header.Value);
        }

        return headers;
    }

    private static ValueTask<SigV4Result> VerifyAsync(IRequest request)
    {
        var verifier = new SigV4Verifier(new SigV4VerifierOptions { Region = "local", Service = "s3", S3Mode = true });
        SigV4Request sigV4Request = AwsSdkInteropTests.ToSigV4Request(request);
        sigV4Request = new SigV4Request { Method = sigV4Request.Method, RawPath = sigV4Request.RawPath, RawQuery = sigV4Request.RawQuery, Headers = sigV4Request.Headers };
        return verifier.VerifyAsync(sigV4Request, (id, ct) => ValueTask.FromResult<string?>(id == AccessKeyId ? Secret : null), CancellationToken.None);
    }
}
