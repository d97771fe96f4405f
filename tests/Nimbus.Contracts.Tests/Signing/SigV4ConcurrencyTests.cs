using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>One verifier serves every request: its key cache and reused HMAC contexts must hold under contention.</summary>
public sealed class SigV4ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_verifications_with_many_keys_all_get_the_right_answer()
    {
        // More keys than cache slots, so entries are replaced while other threads use them.
        const int Keys = 1500;
        string[] secrets = Enumerable.Range(0, Keys).Select(i => $"secret-{i:D4}/+=").ToArray();
        SigV4Request[] valid = new SigV4Request[Keys];
        SigV4Request[] forged = new SigV4Request[Keys];
        for (int i = 0; i < Keys; i++)
        {
            valid[i] = Signed(i, secrets[i]);
            forged[i] = Signed(i, "not-" + secrets[i]);
        }

        var verifier = new SigV4Verifier(new SigV4VerifierOptions { TimeProvider = new FixedTimeProvider(VerifierFixture.Now) });
        ValueTask<string?> Lookup(string id, CancellationToken ct) => new(secrets[int.Parse(id.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture)]);

        int wrong = 0;
        await Parallel.ForAsync(0, 8 * Keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            int key = (n * 7919) % Keys;
            bool useForged = n % 5 == 0;
            SigV4Result result = await verifier.VerifyAsync(useForged ? forged[key] : valid[key], Lookup, ct);
            bool right = useForged
                ? result.ErrorCode == ErrorCodes.SignatureDoesNotMatch
                : result.Succeeded && result.AccessKeyId == $"KEY-{key:D4}";
            if (!right)
            {
                Interlocked.Increment(ref wrong);
            }
        });

        wrong.ShouldBe(0);
    }

    private static SigV4Request Signed(int key, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://localhost/v1/items/{key}");
        SigV4Signer.Sign(request, new SigV4Credentials($"KEY-{key:D4}", secret), "local", "nimbus", VerifierFixture.Now, SigV4Signer.EmptyPayloadHash);
        return SigV4Request.FromHttpRequestMessage(request, SigV4Signer.EmptyPayloadHash);
    }
}
