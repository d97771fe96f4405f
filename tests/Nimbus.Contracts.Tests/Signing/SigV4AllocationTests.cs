using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>
/// Every API request passes the verifier: it allocates its result and the access key id, nothing per
/// header, byte or hash. Allocation counts are exact, unlike timings on a shared machine.
/// </summary>
public sealed class SigV4AllocationTests
{
    private const int Calls = 200;
    private const int BudgetBytesPerCall = 256;

    [Fact]
    public void Header_signed_verification_allocates_little_more_than_its_result()
    {
        const string Body = "{\"name\":\"web-1\"}";
        using HttpRequestMessage message = VerifierFixture.SignedRequest(HttpMethod.Post, "http://localhost:8080/v1/instances?state=running&max-results=10", Body);

        BytesPerCall(VerifierFixture.ToRequest(message, Body)).ShouldBeLessThan(BudgetBytesPerCall);
    }

    [Fact]
    public void Presigned_verification_allocates_little_more_than_its_result()
    {
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get, new Uri("http://localhost:8080/v1/objects/key?versionId=3"), VerifierFixture.Credentials, "local", "nimbus", VerifierFixture.Now, TimeSpan.FromMinutes(5));
        var request = new SigV4Request
        {
            Method = "GET",
            RawPath = presigned.AbsolutePath,
            RawQuery = presigned.Query[1..],
            Headers = new SigV4HeaderCollection { { "Host", "localhost:8080" } },
            PayloadHash = SigV4Signer.EmptyPayloadHash,
        };

        // The credential arrives percent-encoded and is decoded once: budget one more string.
        BytesPerCall(request).ShouldBeLessThan(BudgetBytesPerCall + 128);
    }

    private static long BytesPerCall(SigV4Request request)
    {
        var verifier = new SigV4Verifier(new SigV4VerifierOptions { TimeProvider = new FixedTimeProvider(VerifierFixture.Now) });
        Func<string, CancellationToken, ValueTask<string?>> lookup = (id, ct) => new ValueTask<string?>(VerifierFixture.Secret);
        Verify(verifier, request, lookup).Succeeded.ShouldBeTrue();
        for (int i = 0; i < 20 * Calls; i++)
        {
            Verify(verifier, request, lookup);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            Verify(verifier, request, lookup);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static SigV4Result Verify(SigV4Verifier verifier, SigV4Request request, Func<string, CancellationToken, ValueTask<string?>> lookup)
    {
        // No assertion library calls in the measured loop: they allocate themselves.
        ValueTask<SigV4Result> pending = verifier.VerifyAsync(request, lookup, CancellationToken.None);
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new InvalidOperationException("A synchronous lookup must complete synchronously.");
    }
}
