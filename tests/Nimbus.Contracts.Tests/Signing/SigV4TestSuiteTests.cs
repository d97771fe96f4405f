using System.Security.Cryptography;
using System.Text;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>The published AWS SigV4 test suite (see SigV4TestSuite/README.md), byte for byte.</summary>
public sealed class SigV4TestSuiteTests
{
    private const string AccessKeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private const string SessionTokenCase = "get-vanilla-with-session-token";
    private const string SessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

    // Upstream .sreq carries a stale signature; see the suite README.
    private const string StaleSignedRequestCase = "post-vanilla-query-nonunreserved";

    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "SigV4TestSuite");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string directory in Directory.GetDirectories(SuiteDirectory).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Fact]
    public void Suite_has_at_least_thirty_cases_with_all_five_files()
    {
        string[] cases = Directory.GetDirectories(SuiteDirectory);
        cases.Length.ShouldBeGreaterThanOrEqualTo(30);
        foreach (string directory in cases)
        {
            string name = Path.GetFileName(directory);
            foreach (string extension in new[] { "req", "creq", "sts", "authz", "sreq" })
            {
                File.Exists(Path.Combine(directory, $"{name}.{extension}")).ShouldBeTrue($"{name}.{extension}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Suite_files_agree_with_each_other(string name)
    {
        string creq = Read(name, "creq");
        string sts = Read(name, "sts");
        sts.Split('\n')[^1].ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(creq))));
        Read(name, "authz").ShouldEndWith("Signature=" + ReferenceSigV4.Signature(Secret, AmzDate, "us-east-1", "service", creq));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonical_request_string_to_sign_and_authorization_match_the_suite(string name)
    {
        RawHttpRequest request = RawHttpRequest.Parse(Read(name, "req"));
        SigV4HeaderCollection headers = request.HeaderCollection();
        if (name == SessionTokenCase)
        {
            headers.Add("X-Amz-Security-Token", SessionToken);
        }

        // The suite signs every header of the request.
        string signedHeaders = string.Join(';', headers.Select(h => h.Key.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal));
        byte[] key = new byte[32];
        SigV4Algorithm.DeriveSigningKey(Secret, "20150830", "us-east-1", "service", key);
        var signingKey = new SigningKey(key);
        byte[] signature = new byte[32];
        var trace = new SigV4Trace();

        bool computed = SigV4Algorithm.TryComputeSignature(
            request.Method,
            request.RawPath,
            request.RawQuery,
            headers,
            signedHeaders,
            SigV4Signer.HashPayload(Encoding.UTF8.GetBytes(request.Body)),
            SigV4PathStyle.NormalizedDoubleEncoded,
            presigned: false,
            AmzDate,
            Scope,
            signingKey,
            signature,
            out _,
            trace);

        computed.ShouldBeTrue();
        trace.CanonicalRequest.ShouldBe(Read(name, "creq"));
        trace.StringToSign.ShouldBe(Read(name, "sts"));
        $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/{Scope}, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(signature)}"
            .ShouldBe(Read(name, "authz"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Signed_request_is_accepted_by_the_verifier(string name)
    {
        RawHttpRequest signed = RawHttpRequest.Parse(Read(name, "sreq"));

        SigV4Result result = await Verifier().VerifyAsync(signed.ToSigV4Request(), Lookup, CancellationToken.None);

        if (name == StaleSignedRequestCase)
        {
            result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
            return;
        }

        result.Succeeded.ShouldBeTrue(result.ToString());
        result.AccessKeyId.ShouldBe(AccessKeyId);
        result.SignedAt.ShouldBe(new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));
        result.IsPresigned.ShouldBeFalse();
        result.SessionToken.ShouldBe(signed.Headers.Where(h => h.Key == "X-Amz-Security-Token").Select(h => h.Value).SingleOrDefault());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_with_the_published_authorization_is_accepted_by_the_verifier(string name)
    {
        RawHttpRequest request = RawHttpRequest.Parse(Read(name, "req"));
        SigV4HeaderCollection headers = request.HeaderCollection();
        if (name == SessionTokenCase)
        {
            headers.Add("X-Amz-Security-Token", SessionToken);
        }

        headers.Add("Authorization", Read(name, "authz"));

        SigV4Result result = await Verifier().VerifyAsync(request.ToSigV4Request(headers), Lookup, CancellationToken.None);

        result.Succeeded.ShouldBeTrue(result.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Signed_request_with_one_changed_signature_digit_is_refused(string name)
    {
        string sreq = Read(name, "sreq");
        int digit = sreq.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length;
        string tampered = sreq[..digit] + (sreq[digit] == '0' ? '1' : '0') + sreq[(digit + 1)..];

        SigV4Result result = await Verifier().VerifyAsync(RawHttpRequest.Parse(tampered).ToSigV4Request(), Lookup, CancellationToken.None);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    private static SigV4Verifier Verifier() => new(new SigV4VerifierOptions
    {
        Region = "us-east-1",
        Service = "service",
        TimeProvider = new FixedTimeProvider(new DateTimeOffset(2015, 8, 30, 12, 40, 0, TimeSpan.Zero)),
    });

    private static ValueTask<string?> Lookup(string accessKeyId, CancellationToken ct) =>
        ValueTask.FromResult(accessKeyId == AccessKeyId ? Secret : null);

    private static string Read(string name, string extension) =>
        File.ReadAllText(Path.Combine(SuiteDirectory, name, $"{name}.{extension}"), Encoding.UTF8);
}
