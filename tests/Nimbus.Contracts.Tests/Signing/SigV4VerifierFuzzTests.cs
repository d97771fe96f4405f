using System.Text;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>
/// Random mutations of valid signatures: the verifier never throws and never accepts a mutation that
/// changes meaning. Seeds are fixed, so a failure reproduces.
/// </summary>
public sealed class SigV4VerifierFuzzTests
{
    private const int Iterations = 400;

    private static readonly string[] Alphabet =
    [
        ",", "=", "/", ";", " ", "  ", "%", "%2F", "%zz", "\t", "\0", "\r\n", "a", "Z", "0", "f", "-", "_", "&", "?",
        "ሴ", "\ud800", "😀", "AWS4-HMAC-SHA256", "Credential=", "SignedHeaders=", "Signature=", "aws4_request", "host", "X-Amz-",
    ];

    private static readonly string[] ErrorCodesAllowed =
    [
        ErrorCodes.MissingAuthentication,
        ErrorCodes.IncompleteSignature,
        ErrorCodes.InvalidAccessKeyId,
        ErrorCodes.SignatureDoesNotMatch,
        ErrorCodes.RequestExpired,
    ];

    [Fact]
    public async Task Mutated_authorization_header_never_throws_and_is_refused()
    {
        var fixture = new VerifierFixture();
        using HttpRequestMessage signed = VerifierFixture.SignedRequest(HttpMethod.Post, "http://localhost/v1/instances?a=1", "{}");
        string original = signed.Headers.GetValues("Authorization").Single();
        var random = new Random(20250601);

        for (int i = 0; i < Iterations; i++)
        {
            string mutated = Mutate(original, random);
            signed.Headers.Remove("Authorization");
            signed.Headers.TryAddWithoutValidation("Authorization", mutated);

            SigV4Result result = await fixture.VerifyAsync(signed, "{}");

            AssertRefusedUnlessEquivalent(result, original, mutated);
        }
    }

    [Fact]
    public async Task Mutated_presigned_query_never_throws_and_is_refused()
    {
        var fixture = new VerifierFixture();
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get,
            new Uri("http://localhost/v1/objects/key?versionId=3"),
            VerifierFixture.Credentials with { SessionToken = "token" },
            "local",
            "nimbus",
            VerifierFixture.Now,
            TimeSpan.FromMinutes(5));
        string original = presigned.Query[1..];
        var random = new Random(42);

        for (int i = 0; i < Iterations; i++)
        {
            string mutated = Mutate(original, random);
            var request = new SigV4Request
            {
                Method = "GET",
                RawPath = presigned.AbsolutePath,
                RawQuery = mutated,
                Headers = new SigV4HeaderCollection { { "Host", "localhost" } },
                PayloadHash = SigV4Signer.EmptyPayloadHash,
            };

            SigV4Result result = await fixture.VerifyAsync(request);

            // Percent-encoding is normalized, so "%2F" for "/" in a value is the same query.
            AssertRefusedUnlessEquivalent(result, Uri.UnescapeDataString(original), Uri.UnescapeDataString(mutated));
        }
    }

    [Fact]
    public async Task Mutated_path_date_and_content_hash_never_throw_and_are_refused()
    {
        var fixture = new VerifierFixture();
        using HttpRequestMessage signed = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/v1/a%20b/c");
        SigV4Request baseline = VerifierFixture.ToRequest(signed, null);
        var random = new Random(7);

        for (int i = 0; i < Iterations; i++)
        {
            var headers = new SigV4HeaderCollection();
            string target = random.Next(3) switch
            {
                0 => "x-amz-date",
                1 => "x-amz-content-sha256",
                _ => "path",
            };
            string path = baseline.RawPath;
            foreach (KeyValuePair<string, string> header in (SigV4HeaderCollection)baseline.Headers)
            {
                headers.Add(header.Key, header.Key.Equals(target, StringComparison.OrdinalIgnoreCase) ? Mutate(header.Value, random) : header.Value);
            }

            if (target == "path")
            {
                path = Mutate(path, random);
            }

            SigV4Result result = await fixture.VerifyAsync(new SigV4Request
            {
                Method = "GET", RawPath = path, Headers = headers, PayloadHash = baseline.PayloadHash,
            });

            if (result.Succeeded)
            {
                // Only whitespace around a header value, or a path that normalizes to the same one, may still verify.
                (target == "path" ? Normalize(path) == Normalize(baseline.RawPath) : true).ShouldBeTrue(path);
            }
            else
            {
                ErrorCodesAllowed.ShouldContain(result.ErrorCode);
            }
        }
    }

    [Fact]
    public async Task Random_garbage_never_throws()
    {
        var fixture = new VerifierFixture();
        var random = new Random(1234);

        for (int i = 0; i < Iterations; i++)
        {
            var headers = new SigV4HeaderCollection { { "Host", Garbage(random, 20) } };
            int count = random.Next(5);
            for (int h = 0; h < count; h++)
            {
                string name = random.Next(4) switch
                {
                    0 => "Authorization",
                    1 => "X-Amz-Date",
                    2 => "X-Amz-Content-Sha256",
                    _ => "X-Amz-Security-Token",
                };
                headers.Add(name, random.Next(3) == 0 ? Garbage(random, 300) : "AWS4-HMAC-SHA256 " + Garbage(random, 200));
            }

            SigV4Result result = await fixture.VerifyAsync(new SigV4Request
            {
                Method = Garbage(random, 8),
                RawPath = "/" + Garbage(random, 60),
                RawQuery = random.Next(2) == 0 ? Garbage(random, 200) : "X-Amz-Algorithm=AWS4-HMAC-SHA256&" + Garbage(random, 300),
                Headers = headers,
                PayloadHash = random.Next(2) == 0 ? null : Garbage(random, 64),
            });

            result.Succeeded.ShouldBeFalse();
            ErrorCodesAllowed.ShouldContain(result.ErrorCode);
        }
    }

    private static void AssertRefusedUnlessEquivalent(SigV4Result result, string original, string mutated)
    {
        if (!result.Succeeded)
        {
            ErrorCodesAllowed.ShouldContain(result.ErrorCode);
            result.ErrorMessage.ShouldNotBeNullOrWhiteSpace();
            return;
        }

        // Spaces around components and the case of hex digits carry no meaning.
        Canonical(mutated).ShouldBe(Canonical(original), $"accepted a mutation: {mutated}");
    }

    private static string Canonical(string value) => value.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Normalize(string path) =>
        string.Join('/', path.Split('/').Where(s => s.Length > 0 && s != "."));

    private static string Mutate(string value, Random random)
    {
        var builder = new StringBuilder(value);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int position = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(7))
            {
                case 0:
                    if (builder.Length > 0)
                    {
                        builder.Remove(position, 1);
                    }

                    break;
                case 1:
                    builder.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2:
                    if (builder.Length > 0)
                    {
                        builder[position] = Alphabet[random.Next(Alphabet.Length)][0];
                    }

                    break;
                case 3:
                    builder.Length = position;
                    break;
                case 4:
                    string copy = builder.ToString();
                    int start = random.Next(copy.Length + 1);
                    builder.Insert(position, copy[start..Math.Min(copy.Length, start + random.Next(30))]);
                    break;
                case 5:
                    if (builder.Length > 1)
                    {
                        int other = random.Next(builder.Length);
                        (builder[position], builder[other]) = (builder[other], builder[position]);
                    }

                    break;
                default:
                    if (builder.Length > 0)
                    {
                        char c = builder[position];
                        builder[position] = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static string Garbage(Random random, int maxLength)
    {
        var builder = new StringBuilder();
        int length = random.Next(maxLength + 1);
        while (builder.Length < length)
        {
            builder.Append(random.Next(3) == 0 ? Alphabet[random.Next(Alphabet.Length)] : ((char)random.Next(0x20, 0x7F)).ToString());
        }

        return builder.ToString();
    }
}
