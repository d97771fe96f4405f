using System.Buffers;
using System.Globalization;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>Parsing and the checks that need no secret: format, scope, time and content hash.</summary>
public sealed partial class SigV4Verifier
{
    private const int MaxAccessKeyIdLength = 128;
    private const int MaxEchoLength = 100;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>What a region name is made of, for <see cref="SigV4Result.ScopeRegion"/>.</summary>
    private static readonly SearchValues<char> RegionChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private SigV4Result? TryParse(SigV4Request request, out SigV4ParsedSignature parsed)
    {
        parsed = default;
        ReadOnlyMemory<char> query = (request.RawQuery ?? "").AsMemory();
        if (!query.IsEmpty && query.Span[0] == '?')
        {
            query = query[1..];
        }

        SigV4HeaderValues authorization = request.Headers.GetValues("authorization");
        bool presigned = HasQueryParameter(query.Span, "X-Amz-Algorithm");
        if (authorization.Count == 0 && !presigned)
        {
            return SigV4Result.Failure(
                ErrorCodes.MissingAuthentication,
                "The request is not signed: it has neither an Authorization header nor an X-Amz-Algorithm query parameter.");
        }

        if (authorization.Count > 0 && presigned)
        {
            return Incomplete("Only one authentication mechanism is allowed: an Authorization header or a presigned query string, not both.");
        }

        SigV4Result? failure = presigned
            ? ParseQuery(query, ref parsed)
            : ParseAuthorizationHeader(authorization, request.Headers, ref parsed);
        return failure
            ?? CheckScope(parsed)
            ?? CheckTime(parsed)
            ?? ResolvePayloadHash(request, ref parsed);
    }

    private static SigV4Result? ParseAuthorizationHeader(SigV4HeaderValues values, ISigV4HeaderSource headers, ref SigV4ParsedSignature parsed)
    {
        if (!values.TryGetSingle(out string? header))
        {
            return Incomplete("Only one Authorization header is allowed.");
        }

        ReadOnlyMemory<char> rest = header.AsMemory().Trim();
        if (!rest.Span.StartsWith(SigV4Algorithm.Name + " ", StringComparison.Ordinal))
        {
            return Incomplete("Unsupported Authorization type: expected AWS4-HMAC-SHA256.");
        }

        rest = rest[(SigV4Algorithm.Name.Length + 1)..];
        ReadOnlyMemory<char> credential = default;
        ReadOnlyMemory<char> signedHeaders = default;
        ReadOnlyMemory<char> signature = default;
        int seen = 0;
        while (true)
        {
            int comma = rest.Span.IndexOf(',');
            ReadOnlyMemory<char> part = (comma < 0 ? rest : rest[..comma]).Trim();
            int equals = part.Span.IndexOf('=');
            if (equals <= 0)
            {
                return Incomplete("The Authorization header must be 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.");
            }

            ReadOnlySpan<char> key = part.Span[..equals];
            ReadOnlyMemory<char> value = part[(equals + 1)..];
            int bit = key switch
            {
                "Credential" => 1,
                "SignedHeaders" => 2,
                "Signature" => 4,
                _ => 0,
            };
            if (bit == 0 || (seen & bit) != 0)
            {
                return Incomplete($"The Authorization header has an unknown or repeated component '{Echo(key)}'.");
            }

            seen |= bit;
            switch (bit)
            {
                case 1:
                    credential = value;
                    break;
                case 2:
                    signedHeaders = value;
                    break;
                default:
                    signature = value;
                    break;
            }

            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        if (seen != 7)
        {
            return Incomplete("The Authorization header must carry Credential, SignedHeaders and Signature.");
        }

        SigV4Result? failure = ParseCredential(credential, ref parsed) ?? CheckSignedHeaders(signedHeaders.Span) ?? CheckSignature(signature.Span);
        if (failure is not null)
        {
            return failure;
        }

        parsed.SignedHeaders = signedHeaders;
        parsed.Signature = signature;
        if (headers.GetValues("x-amz-security-token").TryGetSingle(out string? token))
        {
            parsed.SessionToken = token.Trim();
        }

        return ParseHeaderDate(headers, ref parsed);
    }

    private static SigV4Result? ParseHeaderDate(ISigV4HeaderSource headers, ref SigV4ParsedSignature parsed)
    {
        SigV4HeaderValues amzDate = headers.GetValues("x-amz-date");
        if (amzDate.Count > 1)
        {
            return Incomplete("Only one X-Amz-Date header is allowed.");
        }

        if (amzDate.Count == 1)
        {
            ReadOnlyMemory<char> value = amzDate[0].AsMemory().Trim();
            if (!TryParseAmzDate(value.Span, out parsed.SignedAt))
            {
                return Incomplete("X-Amz-Date must be an ISO 8601 basic UTC time: yyyyMMddTHHmmssZ.");
            }

            parsed.AmzDate = value;
            return null;
        }

        // Without X-Amz-Date the HTTP Date header dates the request; the string to sign still uses ISO 8601.
        if (headers.GetValues("date").TryGetSingle(out string? date)
            && DateTimeOffset.TryParseExact(date.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset httpDate))
        {
            parsed.SignedAt = httpDate.ToUniversalTime();
            parsed.AmzDate = SigV4Signer.FormatAmzDate(parsed.SignedAt).AsMemory();
            return null;
        }

        return Incomplete("The request must carry an X-Amz-Date (or Date) header.");
    }

    private static SigV4Result? ParseQuery(ReadOnlyMemory<char> query, ref SigV4ParsedSignature parsed)
    {
        ReadOnlyMemory<char> algorithm = default;
        ReadOnlyMemory<char> credential = default;
        ReadOnlyMemory<char> date = default;
        ReadOnlyMemory<char> expires = default;
        ReadOnlyMemory<char> signedHeaders = default;
        ReadOnlyMemory<char> signature = default;
        ReadOnlyMemory<char> token = default;
        int seen = 0;
        ReadOnlyMemory<char> rest = query;
        while (!rest.IsEmpty)
        {
            int ampersand = rest.Span.IndexOf('&');
            ReadOnlyMemory<char> parameter = ampersand < 0 ? rest : rest[..ampersand];
            rest = ampersand < 0 ? default : rest[(ampersand + 1)..];
            int equals = parameter.Span.IndexOf('=');
            ReadOnlySpan<char> name = equals < 0 ? parameter.Span : parameter.Span[..equals];
            ReadOnlyMemory<char> value = equals < 0 ? default : parameter[(equals + 1)..];
            int bit = name switch
            {
                "X-Amz-Algorithm" => 1,
                "X-Amz-Credential" => 2,
                "X-Amz-Date" => 4,
                "X-Amz-Expires" => 8,
                "X-Amz-SignedHeaders" => 16,
                "X-Amz-Signature" => 32,
                "X-Amz-Security-Token" => 64,
                _ => 0,
            };
            if (bit == 0)
            {
                continue;
            }

            if ((seen & bit) != 0)
            {
                return Incomplete($"The query parameter {name} appears more than once.");
            }

            seen |= bit;
            switch (bit)
            {
                case 1:
                    algorithm = value;
                    break;
                case 2:
                    credential = Unescape(value);
                    break;
                case 4:
                    date = value;
                    break;
                case 8:
                    expires = value;
                    break;
                case 16:
                    signedHeaders = Unescape(value);
                    break;
                case 32:
                    signature = value;
                    break;
                default:
                    token = Unescape(value);
                    break;
            }
        }

        if (!Unescape(algorithm).Span.SequenceEqual(SigV4Algorithm.Name))
        {
            return Incomplete("X-Amz-Algorithm must be AWS4-HMAC-SHA256.");
        }

        if ((seen & 63) != 63)
        {
            return Incomplete(
                "A presigned URL must carry X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.");
        }

        SigV4Result? failure = ParseCredential(credential, ref parsed) ?? CheckSignedHeaders(signedHeaders.Span) ?? CheckSignature(signature.Span);
        if (failure is not null)
        {
            return failure;
        }

        if (!TryParseAmzDate(date.Span, out parsed.SignedAt))
        {
            return Incomplete("X-Amz-Date must be an ISO 8601 basic UTC time: yyyyMMddTHHmmssZ.");
        }

        if (!long.TryParse(expires.Span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
        {
            return Incomplete("X-Amz-Expires must be a number of seconds.");
        }

        if (seconds is < 1 or > SigV4Signer.MaxPresignExpiresSeconds)
        {
            return SigV4Result.ExpiryOutOfRange("X-Amz-Expires must be between 1 and 604800 seconds (7 days).", parsed.AccessKeyId);
        }

        parsed.IsPresigned = true;
        parsed.AmzDate = date;
        parsed.ExpiresAt = parsed.SignedAt.AddSeconds(seconds);
        parsed.SignedHeaders = signedHeaders;
        parsed.Signature = signature;
        parsed.SessionToken = (seen & 64) != 0 ? token.ToString() : null;
        return null;
    }

    private static SigV4Result? ParseCredential(ReadOnlyMemory<char> credential, ref SigV4ParsedSignature parsed)
    {
        const string Expected = "Credential must be <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request.";
        ReadOnlySpan<char> span = credential.Span;
        int keyEnd = span.IndexOf('/');
        if (keyEnd <= 0 || keyEnd > MaxAccessKeyIdLength)
        {
            return Incomplete(Expected);
        }

        foreach (char c in span[..keyEnd])
        {
            if (c is <= ' ' or > '~' or ',' or ';')
            {
                return Incomplete(Expected);
            }
        }

        ReadOnlyMemory<char> scope = credential[(keyEnd + 1)..];
        ReadOnlySpan<char> rest = scope.Span;
        if (rest.Length < 9 || rest[8] != '/' || !IsDigits(rest[..8]))
        {
            return Incomplete(Expected);
        }

        int regionStart = 9;
        int regionLength = rest[regionStart..].IndexOf('/');
        if (regionLength <= 0)
        {
            return Incomplete(Expected);
        }

        int serviceStart = regionStart + regionLength + 1;
        int serviceLength = rest[serviceStart..].IndexOf('/');
        if (serviceLength <= 0 || !rest[(serviceStart + serviceLength + 1)..].SequenceEqual(SigV4Algorithm.Terminator))
        {
            return Incomplete(Expected);
        }

        parsed.AccessKeyId = span[..keyEnd].ToString();
        parsed.Scope = scope;
        parsed.ScopeDate = scope[..8];
        parsed.Region = scope.Slice(regionStart, regionLength);
        parsed.Service = scope.Slice(serviceStart, serviceLength);
        return null;
    }

    private static SigV4Result? CheckSignedHeaders(ReadOnlySpan<char> signedHeaders)
    {
        bool host = false;
        foreach (Range range in signedHeaders.Split(';'))
        {
            ReadOnlySpan<char> name = signedHeaders[range];
            if (name.IsEmpty)
            {
                return Incomplete("SignedHeaders must be a ';'-separated list of header names.");
            }

            foreach (char c in name)
            {
                // RFC 9110 token characters.
                if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
                {
                    return Incomplete("SignedHeaders must be a ';'-separated list of header names.");
                }
            }

            host |= name is "host";
        }

        return host ? null : Incomplete("SignedHeaders must include host.");
    }

    private static SigV4Result? CheckSignature(ReadOnlySpan<char> signature) =>
        signature.Length == 2 * SigV4Algorithm.HashSize && !signature.ContainsAnyExcept(HexDigits)
            ? null
            : Incomplete("Signature must be 64 hexadecimal characters.");

    private SigV4Result? CheckScope(in SigV4ParsedSignature parsed)
    {
        if (!parsed.ScopeDate.Span.SequenceEqual(parsed.AmzDate.Span[..8]))
        {
            return Incomplete("The date in the credential scope does not match the request date (X-Amz-Date).", parsed.AccessKeyId);
        }

        if (!parsed.Region.Span.SequenceEqual(_region) || !parsed.Service.Span.SequenceEqual(_service))
        {
            var message = $"The credential scope '{Echo(parsed.Scope.Span)}' is wrong: expected '{parsed.ScopeDate}/{_region}/{_service}/{SigV4Algorithm.Terminator}'.";
            var region = parsed.Region.Span;
            return parsed.Service.Span.SequenceEqual(_service) && region.Length <= 32 && !region.ContainsAnyExcept(RegionChars)
                ? SigV4Result.WrongRegion(ErrorCodes.SignatureDoesNotMatch, message, parsed.AccessKeyId, region.ToString())
                : SigV4Result.Failure(ErrorCodes.SignatureDoesNotMatch, message, parsed.AccessKeyId);
        }

        return null;
    }

    private SigV4Result? CheckTime(in SigV4ParsedSignature parsed)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (parsed.IsPresigned)
        {
            if (parsed.SignedAt - now > _maxClockSkew)
            {
                return SigV4Result.Failure(ErrorCodes.RequestExpired, "The presigned URL is signed in the future.", parsed.AccessKeyId);
            }

            return now > parsed.ExpiresAt
                ? SigV4Result.Failure(ErrorCodes.RequestExpired, "The presigned URL has expired.", parsed.AccessKeyId)
                : null;
        }

        return (now - parsed.SignedAt).Duration() > _maxClockSkew
            ? SigV4Result.Failure(
                ErrorCodes.RequestExpired,
                "The difference between the request time and the server's time is too large.",
                parsed.AccessKeyId)
            : null;
    }

    private SigV4Result? ResolvePayloadHash(SigV4Request request, ref SigV4ParsedSignature parsed)
    {
        SigV4HeaderValues header = request.Headers.GetValues("x-amz-content-sha256");
        if (header.Count > 1)
        {
            return Incomplete("Only one X-Amz-Content-Sha256 header is allowed.", parsed.AccessKeyId);
        }

        if (header.Count == 0)
        {
            if (parsed.IsPresigned)
            {
                parsed.PayloadHash = SigV4Signer.UnsignedPayload;
                parsed.AlternatePayloadHash = _s3Mode ? null : request.PayloadHash ?? SigV4Signer.EmptyPayloadHash;
                return null;
            }

            if (request.PayloadHash is null)
            {
                return Incomplete("The X-Amz-Content-Sha256 header is required for this request.", parsed.AccessKeyId);
            }

            parsed.PayloadHash = request.PayloadHash;
            return null;
        }

        string claimed = header[0].Trim();
        if (claimed == SigV4Signer.UnsignedPayload || claimed.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            if (!_s3Mode && !(parsed.IsPresigned && claimed == SigV4Signer.UnsignedPayload))
            {
                return SigV4Result.Failure(
                    ErrorCodes.SignatureDoesNotMatch,
                    $"The content hash must be signed: X-Amz-Content-Sha256 '{Echo(claimed)}' is not accepted here.",
                    parsed.AccessKeyId);
            }
        }
        else if (claimed.Length != 2 * SigV4Algorithm.HashSize || claimed.AsSpan().ContainsAnyExcept(HexDigits))
        {
            return SigV4Result.Failure(
                ErrorCodes.SignatureDoesNotMatch,
                "The X-Amz-Content-Sha256 header is not a SHA-256 content hash (64 hexadecimal characters).",
                parsed.AccessKeyId);
        }
        else if (request.PayloadHash is not null && !claimed.Equals(request.PayloadHash, StringComparison.OrdinalIgnoreCase))
        {
            return SigV4Result.Failure(
                ErrorCodes.SignatureDoesNotMatch,
                "The X-Amz-Content-Sha256 header does not match the content hash of the request body.",
                parsed.AccessKeyId);
        }

        parsed.PayloadHash = claimed;
        return null;
    }

    private static bool HasQueryParameter(ReadOnlySpan<char> query, string name)
    {
        int index = query.IndexOf(name, StringComparison.Ordinal);
        while (index >= 0)
        {
            int end = index + name.Length;
            if ((index == 0 || query[index - 1] == '&') && (end == query.Length || query[end] is '=' or '&'))
            {
                return true;
            }

            int next = query[end..].IndexOf(name, StringComparison.Ordinal);
            index = next < 0 ? -1 : end + next;
        }

        return false;
    }

    /// <summary>Parses <c>yyyyMMddTHHmmssZ</c> by hand: DateTime.TryParseExact costs a tenth of a whole verification.</summary>
    private static bool TryParseAmzDate(ReadOnlySpan<char> value, out DateTimeOffset time)
    {
        time = default;
        if (value.Length != 16 || value[8] != 'T' || value[15] != 'Z' || !IsDigits(value[..8]) || !IsDigits(value[9..15]))
        {
            return false;
        }

        int year = Number(value[..4]);
        int month = Number(value[4..6]);
        int day = Number(value[6..8]);
        int hour = Number(value[9..11]);
        int minute = Number(value[11..13]);
        int second = Number(value[13..15]);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;

        static int Number(ReadOnlySpan<char> digits)
        {
            int result = 0;
            foreach (char c in digits)
            {
                result = (result * 10) + (c - '0');
            }

            return result;
        }
    }

    private static ReadOnlyMemory<char> Unescape(ReadOnlyMemory<char> value) =>
        value.Span.Contains('%') ? Uri.UnescapeDataString(value.Span).AsMemory() : value;

    // A plain loop: the generic ContainsAnyExceptInRange<T> boxes until the JIT tiers it up (measured 96 B a call).
    private static bool IsDigits(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Echo(string? value) => Echo(value.AsSpan());

    private static string Echo(ReadOnlySpan<char> value) =>
        value.Length <= MaxEchoLength ? value.ToString() : string.Concat(value[..MaxEchoLength], "...");

    private static SigV4Result Incomplete(string message, string? accessKeyId = null) =>
        SigV4Result.Failure(ErrorCodes.IncompleteSignature, message, accessKeyId);
}
