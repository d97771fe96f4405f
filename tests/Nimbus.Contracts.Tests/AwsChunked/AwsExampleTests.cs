using System.Text;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Tests.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>
/// The worked example of the S3 documentation, "Signature Calculations for the Authorization Header:
/// Transferring Payload in Multiple Chunks (Chunked Upload)": a PUT of 66,560 bytes of 'a' in a 64 KiB
/// chunk, a 1 KiB chunk and the final chunk, with the documented seed and chunk signatures.
/// </summary>
public sealed class AwsExampleTests
{
    internal const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    internal const string SeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    internal const string AmzDate = "20130524T000000Z";
    internal const string Chunk1Signature = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    internal const string Chunk2Signature = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    internal const string FinalSignature = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    internal static readonly DateTimeOffset SignedAt = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Verifier_accepts_the_example_request_and_exposes_its_seed_signature_and_scope()
    {
        SigV4Result result = await VerifyExampleRequestAsync();

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.ContentSha256.ShouldBe(AwsChunkedPayload.Signed);
        SigV4ChunkSigningContext context = result.ChunkSigning.ShouldNotBeNull();
        context.SeedSignature.ShouldBe(SeedSignature);
        context.Scope.ShouldBe("20130524/us-east-1/s3/aws4_request");
        context.AmzDate.ShouldBe(AmzDate);
        context.ToString().ShouldNotContain(Secret);
    }

    [Fact]
    public async Task Example_body_decodes_to_the_payload_through_the_verified_request()
    {
        SigV4Result result = await VerifyExampleRequestAsync();
        var options = AwsChunkedDecodingOptions.FromRequest(ExampleHeaders(), result);
        using var stream = new AwsChunkedDecodingStream(new MemoryStream(ExampleBody()), options);

        byte[] decoded = await ReadAllAsync(stream);

        decoded.Length.ShouldBe(66560);
        decoded.ShouldAllBe(b => b == (byte)'a');
        stream.IsCompleted.ShouldBeTrue();
        stream.ChunkCount.ShouldBe(2);
        stream.DecodedLength.ShouldBe(66560);
    }

    [Fact]
    public void Encoder_reproduces_the_example_body_byte_for_byte()
    {
        var options = new AwsChunkedEncodingOptions
        {
            Mode = AwsChunkedMode.SignedPayload,
            ChunkSigning = SigV4ChunkSigningContext.Create(Secret, AmzDate, "us-east-1", "s3", SeedSignature),
            ChunkSize = 65536,
        };
        using var stream = new AwsChunkedEncodingStream(new MemoryStream(Payload()), options);
        var encoded = new MemoryStream();

        stream.CopyTo(encoded);

        Encoding.ASCII.GetString(encoded.ToArray()).ShouldBe(Encoding.ASCII.GetString(ExampleBody()));
        AwsChunkedEncodingStream.GetEncodedLength(66560, options).ShouldBe(66824);
    }

    [Fact]
    public async Task Chunks_swapped_in_the_example_body_fail_with_SignatureDoesNotMatch()
    {
        string body = Encoding.ASCII.GetString(ExampleBody())
            .Replace(Chunk1Signature, "x", StringComparison.Ordinal)
            .Replace(Chunk2Signature, Chunk1Signature, StringComparison.Ordinal)
            .Replace("x", Chunk2Signature, StringComparison.Ordinal);
        SigV4Result result = await VerifyExampleRequestAsync();
        using var stream = new AwsChunkedDecodingStream(
            new MemoryStream(Encoding.ASCII.GetBytes(body)), AwsChunkedDecodingOptions.FromRequest(ExampleHeaders(), result));

        var error = await Should.ThrowAsync<Nimbus.Contracts.Errors.S3PayloadException>(() => ReadAllAsync(stream));

        error.Code.ShouldBe("SignatureDoesNotMatch");
        error.StatusCode.ShouldBe(403);
        stream.DecodedLength.ShouldBe(0);
    }

    internal static byte[] Payload() => Enumerable.Repeat((byte)'a', 66560).ToArray();

    internal static byte[] ExampleBody()
    {
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes($"10000;chunk-signature={Chunk1Signature}\r\n"));
        body.Write(Enumerable.Repeat((byte)'a', 65536).ToArray());
        body.Write(Encoding.ASCII.GetBytes($"\r\n400;chunk-signature={Chunk2Signature}\r\n"));
        body.Write(Enumerable.Repeat((byte)'a', 1024).ToArray());
        body.Write(Encoding.ASCII.GetBytes($"\r\n0;chunk-signature={FinalSignature}\r\n\r\n"));
        return body.ToArray();
    }

    internal static SigV4HeaderCollection ExampleHeaders() => new()
    {
        { "Host", "s3.amazonaws.com" },
        { "x-amz-date", AmzDate },
        { "x-amz-storage-class", "REDUCED_REDUNDANCY" },
        {
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=" + SeedSignature
        },
        { "x-amz-content-sha256", AwsChunkedPayload.Signed },
        { "Content-Encoding", "aws-chunked" },
        { "x-amz-decoded-content-length", "66560" },
        { "Content-Length", "66824" },
    };

    internal static async Task<SigV4Result> VerifyExampleRequestAsync()
    {
        var verifier = new SigV4Verifier(new SigV4VerifierOptions
        {
            Service = "s3",
            Region = "us-east-1",
            S3Mode = true,
            TimeProvider = new FixedTimeProvider(SignedAt),
        });
        var request = new SigV4Request { Method = "PUT", RawPath = "/examplebucket/chunkObject.txt", Headers = ExampleHeaders() };
        return await verifier.VerifyAsync(
            request, (id, ct) => ValueTask.FromResult<string?>(id == "AKIAIOSFODNN7EXAMPLE" ? Secret : null), CancellationToken.None);
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return output.ToArray();
    }
}
