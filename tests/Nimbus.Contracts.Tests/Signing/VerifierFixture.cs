using System.Text;
using Nimbus.Contracts.Signing;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>A verifier for service nimbus / region local on a fixed clock, and a one-key secret store.</summary>
internal sealed class VerifierFixture
{
    public const string AccessKeyId = "NKIDEXAMPLE0001";
    public const string Secret = "nimbusSecret/Example+Key=0001";

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly SigV4Credentials Credentials = new(AccessKeyId, Secret);

    public VerifierFixture(bool s3Mode = false, string service = "nimbus")
    {
        Clock = new FixedTimeProvider(Now);
        Verifier = new SigV4Verifier(new SigV4VerifierOptions { Service = service, Region = "local", S3Mode = s3Mode, TimeProvider = Clock });
    }

    public FixedTimeProvider Clock { get; }

    public SigV4Verifier Verifier { get; }

    public int Lookups { get; private set; }

    public string? LookedUp { get; private set; }

    public static HttpRequestMessage SignedRequest(
        HttpMethod method,
        string uri,
        string? body = null,
        DateTimeOffset? signedAt = null,
        SigV4Credentials? credentials = null,
        string region = "local",
        string service = "nimbus")
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Nimbus.CreateInstance");
        SigV4Signer.Sign(request, credentials ?? Credentials, region, service, signedAt ?? Now, PayloadHash(body));
        return request;
    }

    public static string PayloadHash(string? body) => SigV4Signer.HashPayload(Encoding.UTF8.GetBytes(body ?? ""));

    public static SigV4Request ToRequest(HttpRequestMessage request, string? body) =>
        SigV4Request.FromHttpRequestMessage(request, PayloadHash(body));

    public ValueTask<SigV4Result> VerifyAsync(SigV4Request request) => Verifier.VerifyAsync(request, Lookup, CancellationToken.None);

    public ValueTask<SigV4Result> VerifyAsync(HttpRequestMessage request, string? body = null) => VerifyAsync(ToRequest(request, body));

    private ValueTask<string?> Lookup(string accessKeyId, CancellationToken ct)
    {
        Lookups++;
        LookedUp = accessKeyId;
        return ValueTask.FromResult(accessKeyId == AccessKeyId ? Secret : null);
    }
}
