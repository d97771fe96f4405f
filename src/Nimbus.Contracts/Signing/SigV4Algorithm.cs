using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Nimbus.Contracts.Signing;

/// <summary>The SigV4 string to sign, signing-key derivation and signature (AWS4-HMAC-SHA256).</summary>
internal static class SigV4Algorithm
{
    public const string Name = "AWS4-HMAC-SHA256";
    public const string Terminator = "aws4_request";
    public const int HashSize = 32;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>Writes <c>AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{hex(SHA-256(canonical request))}</c>.</summary>
    public static void WriteStringToSign(
        ref ValueByteBuilder builder,
        ReadOnlySpan<char> amzDate,
        ReadOnlySpan<char> scope,
        ReadOnlySpan<byte> canonicalRequest)
    {
        Span<byte> hash = stackalloc byte[HashSize];

        // A reused context saves the native setup a one-shot SHA256.HashData pays on every call.
        IncrementalHash sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(canonicalRequest);
        sha256.GetHashAndReset(hash);
        builder.Append("AWS4-HMAC-SHA256\n"u8);
        builder.AppendUtf8(amzDate);
        builder.Append((byte)'\n');
        builder.AppendUtf8(scope);
        builder.Append((byte)'\n');
        builder.AppendLowerHex(hash);
    }

    /// <summary>
    /// Computes the 32-byte signature of a request. Returns false, with the offending name in
    /// <paramref name="missingHeader"/>, when a signed header is absent from the request.
    /// </summary>
    public static bool TryComputeSignature(
        ReadOnlySpan<char> method,
        ReadOnlySpan<char> rawPath,
        ReadOnlySpan<char> rawQuery,
        ISigV4HeaderSource headers,
        ReadOnlySpan<char> signedHeaders,
        ReadOnlySpan<char> payloadHash,
        SigV4PathStyle pathStyle,
        bool presigned,
        ReadOnlySpan<char> amzDate,
        ReadOnlySpan<char> scope,
        SigningKey signingKey,
        Span<byte> signature,
        out string? missingHeader,
        SigV4Trace? trace = null)
    {
        var canonical = new ValueByteBuilder(stackalloc byte[1024]);
        var stringToSign = new ValueByteBuilder(stackalloc byte[256]);
        try
        {
            missingHeader = SigV4Canonicalizer.WriteCanonicalRequest(
                ref canonical, method, rawPath, rawQuery, headers, signedHeaders, payloadHash, pathStyle, presigned);
            if (missingHeader is not null)
            {
                return false;
            }

            WriteStringToSign(ref stringToSign, amzDate, scope, canonical.Written);
            signingKey.Sign(stringToSign.Written, signature);
            if (trace is not null)
            {
                trace.CanonicalRequest = canonical.ToString();
                trace.StringToSign = stringToSign.ToString();
            }

            return true;
        }
        finally
        {
            canonical.Dispose();
            stringToSign.Dispose();
        }
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static void DeriveSigningKey(
        ReadOnlySpan<char> secret,
        ReadOnlySpan<char> date,
        ReadOnlySpan<char> region,
        ReadOnlySpan<char> service,
        Span<byte> signingKey)
    {
        int secretBytes = 4 + Encoding.UTF8.GetMaxByteCount(secret.Length);
        byte[]? rented = null;
        Span<byte> kSecret = secretBytes <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(secretBytes));
        try
        {
            "AWS4"u8.CopyTo(kSecret);
            int length = 4 + Encoding.UTF8.GetBytes(secret, kSecret[4..]);
            Span<byte> key = stackalloc byte[HashSize];
            HmacText(kSecret[..length], date, key);
            HmacText(key, region, key);
            HmacText(key, service, key);
            HMACSHA256.HashData(key, "aws4_request"u8, signingKey);
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
            else
            {
                CryptographicOperations.ZeroMemory(kSecret);
            }
        }
    }

    private static void HmacText(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<byte> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> data = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, data);
            Span<byte> mac = stackalloc byte[HashSize];
            HMACSHA256.HashData(key, data[..length], mac);
            mac.CopyTo(destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
