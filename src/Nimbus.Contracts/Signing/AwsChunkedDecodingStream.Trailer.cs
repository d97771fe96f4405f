using System.Security.Cryptography;
using System.Text;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>The end of the body: the zero-length chunk, the trailing headers and the final checks.</summary>
public sealed partial class AwsChunkedDecodingStream
{
    private const int MaxTrailerLines = 8;

    private readonly List<KeyValuePair<string, string>> _trailerOrder = [];

    /// <summary>Called after the zero-length chunk's line.</summary>
    private async ValueTask FinishAsync(bool useAsync, CancellationToken ct)
    {
        if (_signed)
        {
            VerifyChunkSignature(SHA256.HashData(ReadOnlySpan<byte>.Empty));
        }

        if (_declaredSoFar != _options.DecodedContentLength)
        {
            throw Incomplete(
                $"The chunks carry {_declaredSoFar} bytes but x-amz-decoded-content-length declares {_options.DecodedContentLength}.");
        }

        string? trailerSignature = await ReadTrailerSectionAsync(useAsync, ct).ConfigureAwait(false);
        foreach (string declared in _options.DeclaredTrailers)
        {
            if (!_trailers.ContainsKey(declared))
            {
                throw new S3PayloadException(S3ErrorCodes.MalformedTrailerError, $"The trailing header {declared} declared in x-amz-trailer is missing.");
            }
        }

        // The AWS SDK for .NET signs an (empty) trailer even in the plain signed mode: verify a trailer
        // signature wherever one comes, and require it where the mode promises one.
        if (_options.Mode == AwsChunkedMode.SignedPayloadTrailer || trailerSignature is not null)
        {
            VerifyTrailerSignature(trailerSignature);
        }

        VerifyChecksum();
        _state = State.Done;
        ReturnBuffers();
    }

    /// <summary>
    /// Reads trailer lines up to the blank line that ends the body. Accepts the blank line right after the
    /// zero-length chunk (no trailer, or the trailer after it), and a second zero-length chunk when the payload
    /// is empty. Returns the <c>x-amz-trailer-signature</c> value, if any.
    /// </summary>
    private async ValueTask<string?> ReadTrailerSectionAsync(bool useAsync, CancellationToken ct)
    {
        string? signature = null;
        bool sawLeadingBlank = false;
        int lines = 0;
        int zeroChunks = 1;
        while (true)
        {
            Line line = await ReadLineAsync(useAsync, ct).ConfigureAwait(false);
            if (line.IsEnd)
            {
                throw Incomplete("The body ended before the blank line that closes the trailer.");
            }

            ReadOnlySpan<byte> text = _buffer.AsSpan(line.Start, line.Length);
            if (text.IsEmpty)
            {
                if (lines == 0 && signature is null && !sawLeadingBlank && !await AtEndAsync(useAsync, ct).ConfigureAwait(false))
                {
                    // "0\r\n\r\n" then more: the trailer (or a second zero-length chunk) follows a blank line.
                    sawLeadingBlank = true;
                    continue;
                }

                break;
            }

            if (signature is not null)
            {
                throw new S3PayloadException(S3ErrorCodes.MalformedTrailerError, "The trailer signature must be the last trailing header.");
            }

            if (lines == 0 && zeroChunks == 1 && _declaredSoFar == 0 && IsZeroChunkLine(text))
            {
                // An empty payload sent as two zero-length chunks: the second one is signed in the chain too.
                ParseChunkHeader(text);
                if (_signed)
                {
                    VerifyChunkSignature(SHA256.HashData(ReadOnlySpan<byte>.Empty));
                }

                zeroChunks++;
                sawLeadingBlank = false;
                continue;
            }

            if (++lines > MaxTrailerLines)
            {
                throw new S3PayloadException(S3ErrorCodes.MalformedTrailerError, "The trailer has too many lines.");
            }

            if (!TryParseTrailerLine(text, out string? name, out string? value))
            {
                throw new S3PayloadException(S3ErrorCodes.MalformedTrailerError, "A trailing header is not 'name:value'.");
            }

            if (name == AwsChunkedPayload.TrailerSignatureHeader && _signed)
            {
                signature = value;
                lines--;
                continue;
            }

            if (!_options.DeclaredTrailers.Contains(name) || !_trailers.TryAdd(name, value))
            {
                throw new S3PayloadException(
                    S3ErrorCodes.MalformedTrailerError, $"The trailing header '{Echo(name)}' was not declared in x-amz-trailer, or came twice.");
            }

            _trailerOrder.Add(new KeyValuePair<string, string>(name, value));
        }

        if (!await AtEndAsync(useAsync, ct).ConfigureAwait(false))
        {
            throw new S3PayloadException(S3ErrorCodes.IncompleteBody, "The body goes on after the blank line that ends it.");
        }

        return signature;
    }

    private void VerifyTrailerSignature(string? signature)
    {
        if (signature is null)
        {
            throw new S3PayloadException(S3ErrorCodes.SignatureDoesNotMatch, "The trailer has no x-amz-trailer-signature.");
        }

        // The signed form: each trailing header as "name:value\n", in the order received.
        var canonical = new StringBuilder(128);
        foreach (KeyValuePair<string, string> trailer in _trailerOrder)
        {
            canonical.Append(trailer.Key).Append(':').Append(trailer.Value).Append('\n');
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()), hash);
        Span<byte> computed = stackalloc byte[32];
        _options.ChunkSigning!.ComputeTrailerSignature(_previousSignature, hash, computed);
        if (!SigV4ChunkSigningContext.SignatureEquals(Encoding.ASCII.GetBytes(signature), computed))
        {
            throw new S3PayloadException(S3ErrorCodes.SignatureDoesNotMatch, "The trailer signature does not match the trailing headers.");
        }
    }

    private void VerifyChecksum()
    {
        if (_checksum is null)
        {
            return;
        }

        RequestChecksum? requested = _options.Checksum;
        string? expected = requested?.ExpectedValue;
        string headerName = ChecksumAlgorithms.GetHeaderName(_checksum.Algorithm);
        if (requested is { InTrailer: true })
        {
            expected = _trailers.GetValueOrDefault(headerName)
                ?? throw new S3PayloadException(S3ErrorCodes.MalformedTrailerError, $"The trailing header {headerName} is missing.");
        }

        if (expected is not null)
        {
            Span<byte> digest = stackalloc byte[32];
            if (!ChecksumAlgorithms.TryDecodeValue(_checksum.Algorithm, expected, digest))
            {
                throw new S3PayloadException(S3ErrorCodes.InvalidRequest, $"Value for {headerName} trailing header is invalid.");
            }

            if (!_checksum.Matches(digest[.._checksum.HashLengthInBytes]))
            {
                throw new S3PayloadException(
                    S3ErrorCodes.BadDigest, $"The {ChecksumAlgorithms.GetName(_checksum.Algorithm)} you specified did not match the calculated checksum.");
            }
        }

        _checksumValue = _checksum.GetBase64();
    }

    private static bool TryParseTrailerLine(ReadOnlySpan<byte> text, out string name, out string value)
    {
        name = "";
        value = "";
        int colon = text.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rawName = text[..colon].Trim(" \t"u8);
        ReadOnlySpan<byte> rawValue = text[(colon + 1)..].Trim(" \t\n"u8);
        if (rawName.IsEmpty)
        {
            return false;
        }

        foreach (byte c in rawName)
        {
            // RFC 9110 token characters.
            if (!(char.IsAsciiLetterOrDigit((char)c) || "!#$%&'*+-.^_`|~"u8.Contains(c)))
            {
                return false;
            }
        }

        foreach (byte c in rawValue)
        {
            if (c is < 0x20 or >= 0x7F)
            {
                return false;
            }
        }

        name = Encoding.ASCII.GetString(rawName).ToLowerInvariant();
        value = Encoding.ASCII.GetString(rawValue);
        return true;
    }

    private static bool IsZeroChunkLine(ReadOnlySpan<byte> text)
    {
        int i = 0;
        while (i < text.Length && text[i] == (byte)'0')
        {
            i++;
        }

        return i > 0 && (i == text.Length || text[i] == (byte)';' || text[i] == (byte)' ');
    }

    private static string Echo(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
