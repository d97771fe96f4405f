using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nimbus.Compute.Metadata;

/// <summary>
/// IMDSv2 session tokens (<c>PUT /latest/api/token</c>): an HMAC over the instance, its address and the expiry, with
/// a key that lives in this process only. A token works only for the instance that asked for it, from its own address,
/// until it expires or Nimbus restarts (clients ask for a new one on <c>401</c>, as AWS SDKs do).
/// </summary>
public sealed class MetadataTokens(TimeProvider time)
{
    public const int MinTtlSeconds = 1;
    public const int MaxTtlSeconds = 21600;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(string instanceId, string address, int ttlSeconds)
    {
        var expires = time.GetUtcNow().AddSeconds(ttlSeconds).ToUnixTimeSeconds();
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{instanceId}|{address}|{expires}"));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>True when <paramref name="token"/> was issued here to this instance at this address and has not expired.</summary>
    public bool IsValid(string? token, string instanceId, string address)
    {
        if (token is null || token.Length > 512)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        return parts.Length == 3 && parts[0] == instanceId && parts[1] == address
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && time.GetUtcNow().ToUnixTimeSeconds() < expires;
    }
}
