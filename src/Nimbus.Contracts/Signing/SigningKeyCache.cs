namespace Nimbus.Contracts.Signing;

/// <summary>
/// Bounded, lock-free cache of derived signing keys per (secret, date, region, service): deriving one
/// costs four HMACs, a cache hit one comparison. Direct-mapped: a colliding entry simply replaces the
/// previous one, so the cache never grows past its slot count and needs no eviction bookkeeping.
/// </summary>
internal sealed class SigningKeyCache
{
    private readonly Entry?[] _slots;
    private readonly int _mask;

    public SigningKeyCache(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots);
        _slots = new Entry?[size];
        _mask = size - 1;
    }

    /// <summary>The cache the static signer shares across calls.</summary>
    public static SigningKeyCache Shared { get; } = new(64);

    public SigningKey GetSigningKey(string secret, ReadOnlySpan<char> date, ReadOnlySpan<char> region, ReadOnlySpan<char> service)
    {
        int hash = HashCode.Combine(
            string.GetHashCode(secret.AsSpan()),
            string.GetHashCode(date),
            string.GetHashCode(region),
            string.GetHashCode(service));
        ref Entry? slot = ref _slots[hash & _mask];
        Entry? entry = Volatile.Read(ref slot);
        if (entry is not null
            && string.Equals(entry.Secret, secret, StringComparison.Ordinal)
            && date.SequenceEqual(entry.Date)
            && region.SequenceEqual(entry.Region)
            && service.SequenceEqual(entry.Service))
        {
            return entry.Key;
        }

        byte[] key = new byte[SigV4Algorithm.HashSize];
        SigV4Algorithm.DeriveSigningKey(secret, date, region, service, key);
        var signingKey = new SigningKey(key);
        Volatile.Write(ref slot, new Entry(secret, date.ToString(), region.ToString(), service.ToString(), signingKey));
        return signingKey;
    }

    private sealed record Entry(string Secret, string Date, string Region, string Service, SigningKey Key);
}
