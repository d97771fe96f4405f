using System.Security.Cryptography;

namespace Nimbus.Core.Resources;

/// <summary>Generates resource ids: a kind prefix, a dash and 12 random lowercase base-36 characters.</summary>
public static class ResourceIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix) => prefix + "-" + Random(12, Alphabet);

    /// <summary>A random string of <paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/> (at most 256 characters).</summary>
    public static string Random(int length, string alphabet)
    {
        // One call to the system RNG per id: calling it per character cost ~1 µs each and
        // dominated request-id generation in the profile. Rejection sampling keeps it uniform.
        var limit = 256 - (256 % alphabet.Length);
        return string.Create(length, (alphabet, limit), static (span, state) =>
        {
            Span<byte> random = stackalloc byte[64];
            var used = random.Length;
            for (var i = 0; i < span.Length;)
            {
                if (used == random.Length)
                {
                    RandomNumberGenerator.Fill(random);
                    used = 0;
                }

                var b = random[used++];
                if (b < state.limit)
                {
                    span[i++] = state.alphabet[b % state.alphabet.Length];
                }
            }
        });
    }

    /// <summary>
    /// A request id: not a secret and not guessable-sensitive, so a fast non-cryptographic
    /// generator is enough (it runs on every request).
    /// </summary>
    public static string NewRequestId() => string.Create(24, 0, static (span, _) =>
    {
        "req-".CopyTo(span);
        for (var i = 4; i < span.Length; i++)
        {
            span[i] = Alphabet[System.Random.Shared.Next(Alphabet.Length)];
        }
    });

    /// <summary>A 12-digit account id (AWS habit, so that learners recognise it).</summary>
    public static string NewAccountId() => Random(1, "123456789") + Random(11, "0123456789");
}
