using System.Security.Cryptography;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// Verifies AWS Signature Version 4 requests, signed in the Authorization header or presigned in the query
/// string. Thread-safe; create one per (service, region) and share it. Never throws for a malformed
/// request: every problem the caller can cause is a failed <see cref="SigV4Result"/>.
/// </summary>
public sealed partial class SigV4Verifier
{
    private const int SigningKeyCacheSlots = 1024;

    private readonly string _service;
    private readonly string _region;
    private readonly TimeSpan _maxClockSkew;
    private readonly bool _s3Mode;
    private readonly TimeProvider _timeProvider;
    private readonly SigningKeyCache _signingKeys = new(SigningKeyCacheSlots);

    /// <summary>Creates a verifier.</summary>
    /// <param name="options">Service, region, clock skew, S3 mode and clock; required.</param>
    public SigV4Verifier(SigV4VerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Service);
        ArgumentException.ThrowIfNullOrEmpty(options.Region);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxClockSkew, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        _service = options.Service;
        _region = options.Region;
        _maxClockSkew = options.MaxClockSkew;
        _s3Mode = options.S3Mode;
        _timeProvider = options.TimeProvider;
    }

    /// <summary>
    /// Verifies <paramref name="request"/>. Completes synchronously (no allocation beyond the result) when
    /// <paramref name="secretLookup"/> does.
    /// </summary>
    /// <param name="request">The request as received; required.</param>
    /// <param name="secretLookup">
    /// Returns the secret access key for an access key id, or null when the key is unknown or inactive.
    /// Called at most once, only after the request parsed and passed its time checks. To carry more back
    /// (the principal, say), capture it in the delegate.
    /// </param>
    /// <param name="ct">Passed to <paramref name="secretLookup"/>.</param>
    public ValueTask<SigV4Result> VerifyAsync(
        SigV4Request request,
        Func<string, CancellationToken, ValueTask<string?>> secretLookup,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secretLookup);
        ArgumentNullException.ThrowIfNull(request.Method);
        ArgumentNullException.ThrowIfNull(request.RawPath);
        ArgumentNullException.ThrowIfNull(request.Headers);

        SigV4Result? failure = TryParse(request, out SigV4ParsedSignature parsed);
        if (failure is not null)
        {
            return new ValueTask<SigV4Result>(failure);
        }

        ValueTask<string?> lookup = secretLookup(parsed.AccessKeyId, ct);
        return lookup.IsCompletedSuccessfully
            ? new ValueTask<SigV4Result>(Complete(request, parsed, lookup.Result))
            : CompleteAsync(request, parsed, lookup);
    }

    private async ValueTask<SigV4Result> CompleteAsync(SigV4Request request, SigV4ParsedSignature parsed, ValueTask<string?> lookup) =>
        Complete(request, parsed, await lookup.ConfigureAwait(false));

    private SigV4Result Complete(SigV4Request request, in SigV4ParsedSignature parsed, string? secret)
    {
        if (secret is null)
        {
            return SigV4Result.Failure(
                ErrorCodes.InvalidAccessKeyId,
                $"The access key id '{parsed.AccessKeyId}' does not exist.",
                parsed.AccessKeyId);
        }

        SigningKey signingKey = _signingKeys.GetSigningKey(secret, parsed.ScopeDate.Span, parsed.Region.Span, parsed.Service.Span);
        Span<byte> provided = stackalloc byte[SigV4Algorithm.HashSize];
        Convert.FromHexString(parsed.Signature.Span, provided, out _, out _);
        Span<byte> expected = stackalloc byte[SigV4Algorithm.HashSize];

        // The spec's canonical form first. Only when it does not match, the forms AWS SDKs are known to
        // sign instead: the AWS SDK for .NET never normalizes a path, and SDKs presigning for a service
        // other than S3 sign the body hash rather than UNSIGNED-PAYLOAD. Each form was signed with the
        // secret, so accepting it admits nothing a forger could produce.
        SigV4PathStyle primary = _s3Mode ? SigV4PathStyle.S3 : SigV4PathStyle.NormalizedDoubleEncoded;
        int pathStyles = !_s3Mode && SigV4Encoding.NeedsNormalization(request.RawPath) ? 2 : 1;
        int payloads = parsed.AlternatePayloadHash is null ? 1 : 2;
        for (int p = 0; p < pathStyles; p++)
        {
            SigV4PathStyle style = p == 0 ? primary : SigV4PathStyle.DoubleEncoded;
            for (int h = 0; h < payloads; h++)
            {
                string payloadHash = h == 0 ? parsed.PayloadHash : parsed.AlternatePayloadHash!;
                if (!ComputeSignature(request, parsed, style, payloadHash, signingKey, expected, out string? missingHeader, trace: null))
                {
                    return SigV4Result.Failure(
                        ErrorCodes.SignatureDoesNotMatch,
                        $"The signed header '{Echo(missingHeader)}' is not present in the request.",
                        parsed.AccessKeyId);
                }

                if (CryptographicOperations.FixedTimeEquals(expected, provided))
                {
                    // Signed chunks chain from this signature with the same key: hand both on, for
                    // header-signed requests only (a presigned URL cannot carry an aws-chunked body).
                    SigV4ChunkSigningContext? chunkSigning =
                        !parsed.IsPresigned && payloadHash.StartsWith(AwsChunkedPayload.Signed, StringComparison.Ordinal)
                            ? new SigV4ChunkSigningContext(signingKey, parsed.AmzDate.ToString(), parsed.Scope.ToString(), Convert.ToHexStringLower(provided))
                            : null;
                    return SigV4Result.Success(
                        parsed.AccessKeyId,
                        parsed.SessionToken,
                        parsed.SignedAt,
                        parsed.IsPresigned,
                        parsed.ExpiresAt,
                        payloadHash,
                        chunkSigning);
                }
            }
        }

        // Failure path only: recompute the spec's form to report what the server signed.
        var trace = new SigV4Trace();
        ComputeSignature(request, parsed, primary, parsed.PayloadHash, signingKey, expected, out _, trace);
        return SigV4Result.Mismatch(parsed.AccessKeyId, trace.CanonicalRequest ?? "", trace.StringToSign ?? "");
    }

    private static bool ComputeSignature(
        SigV4Request request,
        in SigV4ParsedSignature parsed,
        SigV4PathStyle pathStyle,
        string payloadHash,
        SigningKey signingKey,
        Span<byte> signature,
        out string? missingHeader,
        SigV4Trace? trace) =>
        SigV4Algorithm.TryComputeSignature(
            request.Method,
            request.RawPath,
            request.RawQuery ?? "",
            request.Headers,
            parsed.SignedHeaders.Span,
            payloadHash,
            pathStyle,
            parsed.IsPresigned,
            parsed.AmzDate.Span,
            parsed.Scope.Span,
            signingKey,
            signature,
            out missingHeader,
            trace);
}
