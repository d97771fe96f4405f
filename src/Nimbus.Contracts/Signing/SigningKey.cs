using System.Security.Cryptography;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// A derived SigV4 signing key plus a reusable HMAC context for it. A one-shot
/// <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> sets up a native
/// context per call (about twice the cost of the MAC itself); the cached context is handed to one thread
/// at a time and a thread that finds it taken falls back to the one-shot.
/// </summary>
internal sealed class SigningKey
{
    private readonly byte[] _key;
    private IncrementalHash? _hmac;

    public SigningKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    public ReadOnlySpan<byte> Key => _key;

    public void Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        IncrementalHash? hmac = Interlocked.Exchange(ref _hmac, null);
        if (hmac is null)
        {
            HMACSHA256.HashData(_key, data, destination);
            return;
        }

        hmac.AppendData(data);
        hmac.GetHashAndReset(destination);
        Volatile.Write(ref _hmac, hmac);
    }
}
