using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Nimbus.Iam.Mfa;

/// <summary>
/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
/// 6 digits — what every authenticator app speaks.
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    /// <summary>The time step of <paramref name="time"/> (T in RFC 6238).</summary>
    public static long StepOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code for one step (RFC 4226 §5.3 dynamic truncation).</summary>
    public static string Compute(ReadOnlySpan<byte> secret, long step, int digits = Digits, HashAlgorithmName? algorithm = null)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[64];
        var alg = algorithm ?? HashAlgorithmName.SHA1;
        var length = alg == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(secret, counter, mac)
            : alg == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(secret, counter, mac)
            : alg == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(secret, counter, mac)
            : throw new ArgumentException("TOTP uses SHA1, SHA256 or SHA512", nameof(algorithm));
        var offset = mac[length - 1] & 0x0f;
        var binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step whose code equals <paramref name="code"/> within ±<paramref name="window"/> steps of
    /// <paramref name="now"/> (clock drift), or null. Compared in constant time.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> secret, string code, DateTimeOffset now, int window = 1)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var current = StepOf(now);
        long? matched = null;
        for (var step = current - window; step <= current + window; step++)
        {
            var expected = Compute(secret, step);
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                matched ??= step;
            }
        }

        return matched;
    }

    /// <summary>An <c>otpauth://</c> URI for QR codes (Key Uri Format of authenticator apps).</summary>
    public static string ProvisioningUri(string issuer, string accountName, ReadOnlySpan<byte> secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(accountName)}?secret={Base32.Encode(secret)}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
}
