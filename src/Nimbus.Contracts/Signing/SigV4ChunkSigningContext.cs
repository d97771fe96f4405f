using System.Security.Cryptography;
using System.Text;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// What chunk and trailer signatures of an aws-chunked body (<c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>,
/// <c>...-TRAILER</c>) chain from: the seed signature (the request's own signature), the request time, the
/// credential scope, and the derived signing key. The key never leaves this object: it is reachable only
/// through the signature computations inside this assembly, and <see cref="ToString"/> omits it.
/// </summary>
public sealed class SigV4ChunkSigningContext
{
    /// <summary>Lowercase hex SHA-256 of nothing: the fixed fifth line of a chunk's string to sign.</summary>
    private static ReadOnlySpan<byte> EmptyHashHex => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"u8;

    private readonly SigningKey _signingKey;
    private readonly byte[] _payloadPrefix;
    private readonly byte[] _trailerPrefix;
    private readonly byte[] _seedSignature;

    internal SigV4ChunkSigningContext(SigningKey signingKey, string amzDate, string scope, string seedSignature)
    {
        _signingKey = signingKey;
        AmzDate = amzDate;
        Scope = scope;
        SeedSignature = seedSignature.ToLowerInvariant();
        _seedSignature = Encoding.ASCII.GetBytes(SeedSignature);
        _payloadPrefix = Encoding.ASCII.GetBytes($"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n");
        _trailerPrefix = Encoding.ASCII.GetBytes($"AWS4-HMAC-SHA256-TRAILER\n{amzDate}\n{scope}\n");
    }

    /// <summary>The request's signature (lowercase hex): the "previous signature" of the first chunk.</summary>
    public string SeedSignature { get; }

    /// <summary>The request time as signed, <c>yyyyMMddTHHmmssZ</c>.</summary>
    public string AmzDate { get; }

    /// <summary>The credential scope, <c>yyyyMMdd/region/service/aws4_request</c>.</summary>
    public string Scope { get; }

    internal ReadOnlySpan<byte> SeedSignatureHex => _seedSignature;

    /// <summary>
    /// Creates a context from a secret, for a client that signs a chunked body after signing the request
    /// (see <see cref="SigV4Signer.SignChunked"/>), and for tests.
    /// </summary>
    /// <param name="secretAccessKey">The secret access key; required.</param>
    /// <param name="amzDate">The request's <c>X-Amz-Date</c>, <c>yyyyMMddTHHmmssZ</c>; required.</param>
    /// <param name="region">Region of the credential scope; required.</param>
    /// <param name="service">Service of the credential scope; required.</param>
    /// <param name="seedSignature">The request's signature, 64 hex digits; required.</param>
    public static SigV4ChunkSigningContext Create(string secretAccessKey, string amzDate, string region, string service, string seedSignature)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(amzDate);
        ArgumentNullException.ThrowIfNull(seedSignature);
        if (amzDate.Length != 16 || amzDate[8] != 'T' || amzDate[15] != 'Z')
        {
            throw new ArgumentException("X-Amz-Date must be yyyyMMddTHHmmssZ.", nameof(amzDate));
        }

        if (seedSignature.Length != 2 * SigV4Algorithm.HashSize || !IsHex(seedSignature))
        {
            throw new ArgumentException("A seed signature is 64 hexadecimal digits.", nameof(seedSignature));
        }

        byte[] key = new byte[SigV4Algorithm.HashSize];
        SigV4Algorithm.DeriveSigningKey(secretAccessKey, amzDate.AsSpan(0, 8), region, service, key);
        string scope = SigV4Signer.FormatScope(amzDate, region, service);
        return new SigV4ChunkSigningContext(new SigningKey(key), amzDate, scope, seedSignature);
    }

    /// <summary>
    /// Signature of one chunk: HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" date "\n" scope "\n" previous "\n"
    /// hex(SHA-256("")) "\n" hex(SHA-256(chunk))).
    /// </summary>
    /// <param name="previousSignatureHex">The previous chunk's (or the seed) signature, 64 lowercase hex ASCII bytes.</param>
    /// <param name="chunkHash">SHA-256 of the chunk's data, 32 bytes.</param>
    /// <param name="signature">Receives the 32-byte signature.</param>
    internal void ComputeChunkSignature(ReadOnlySpan<byte> previousSignatureHex, ReadOnlySpan<byte> chunkHash, Span<byte> signature)
    {
        Span<byte> stringToSign = stackalloc byte[_payloadPrefix.Length + 64 + 1 + 64 + 1 + 64];
        _payloadPrefix.CopyTo(stringToSign);
        int position = _payloadPrefix.Length;
        previousSignatureHex.CopyTo(stringToSign[position..]);
        position += 64;
        stringToSign[position++] = (byte)'\n';
        EmptyHashHex.CopyTo(stringToSign[position..]);
        position += 64;
        stringToSign[position++] = (byte)'\n';
        WriteLowerHex(chunkHash, stringToSign[position..]);
        _signingKey.Sign(stringToSign, signature);
    }

    /// <summary>
    /// Signature of the trailer: HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" date "\n" scope "\n" previous "\n"
    /// hex(SHA-256(trailer lines, each "name:value\n"))).
    /// </summary>
    /// <param name="previousSignatureHex">The final (zero-length) chunk's signature, 64 lowercase hex ASCII bytes.</param>
    /// <param name="trailerHash">SHA-256 of the canonical trailer lines, 32 bytes.</param>
    /// <param name="signature">Receives the 32-byte signature.</param>
    internal void ComputeTrailerSignature(ReadOnlySpan<byte> previousSignatureHex, ReadOnlySpan<byte> trailerHash, Span<byte> signature)
    {
        Span<byte> stringToSign = stackalloc byte[_trailerPrefix.Length + 64 + 1 + 64];
        _trailerPrefix.CopyTo(stringToSign);
        int position = _trailerPrefix.Length;
        previousSignatureHex.CopyTo(stringToSign[position..]);
        position += 64;
        stringToSign[position++] = (byte)'\n';
        WriteLowerHex(trailerHash, stringToSign[position..]);
        _signingKey.Sign(stringToSign, signature);
    }

    /// <summary>Writes 64 lowercase hex ASCII digits of a 32-byte hash.</summary>
    internal static void WriteLowerHex(ReadOnlySpan<byte> hash, Span<byte> destination)
    {
        ReadOnlySpan<byte> digits = "0123456789abcdef"u8;
        for (int i = 0; i < hash.Length; i++)
        {
            destination[2 * i] = digits[hash[i] >> 4];
            destination[(2 * i) + 1] = digits[hash[i] & 0xF];
        }
    }

    /// <summary>Compares a received hex signature with a computed one in fixed time, ignoring hex digit case.</summary>
    internal static bool SignatureEquals(ReadOnlySpan<byte> receivedHex, ReadOnlySpan<byte> computed)
    {
        Span<byte> received = stackalloc byte[SigV4Algorithm.HashSize];
        return receivedHex.Length == 2 * SigV4Algorithm.HashSize
            && Convert.FromHexString(receivedHex, received, out _, out int written) == System.Buffers.OperationStatus.Done
            && written == SigV4Algorithm.HashSize
            && CryptographicOperations.FixedTimeEquals(received, computed);
    }

    /// <inheritdoc />
    public override string ToString() => $"SigV4ChunkSigningContext {{ Scope = {Scope}, AmzDate = {AmzDate} }}";

    private static bool IsHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
