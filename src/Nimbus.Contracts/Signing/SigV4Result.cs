using System.Diagnostics.CodeAnalysis;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>Outcome of <see cref="SigV4Verifier.VerifyAsync"/>: an authenticated caller, or a failure with a stable code.</summary>
public sealed class SigV4Result
{
    private SigV4Result()
    {
    }

    /// <summary>True when the signature is valid and within its time limits.</summary>
    [MemberNotNullWhen(true, nameof(AccessKeyId), nameof(ContentSha256))]
    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(ErrorMessage))]
    public bool Succeeded { get; private init; }

    /// <summary>Access key id of the credential; set on success, and on failures once the credential was parsed (for audit).</summary>
    public string? AccessKeyId { get; private init; }

    /// <summary>
    /// Session token from the <c>X-Amz-Security-Token</c> header or query parameter; null when absent.
    /// The verifier does not validate it: the caller must check it belongs to <see cref="AccessKeyId"/>.
    /// </summary>
    public string? SessionToken { get; private init; }

    /// <summary>Signing time (UTC) from <c>X-Amz-Date</c> (or <c>Date</c>); default on early failures.</summary>
    public DateTimeOffset SignedAt { get; private init; }

    /// <summary>True when signed in the query string (presigned URL) rather than the Authorization header.</summary>
    public bool IsPresigned { get; private init; }

    /// <summary>End of a presigned URL's validity (UTC); null for header-signed requests.</summary>
    public DateTimeOffset? ExpiresAt { get; private init; }

    /// <summary>
    /// Payload hash the signature covers: the body's hex SHA-256, <c>UNSIGNED-PAYLOAD</c>, or (S3 mode) a
    /// <c>STREAMING-*</c> value. When <see cref="SigV4Request.PayloadHash"/> was null the body is not yet
    /// checked and the server must compare its hash with this value.
    /// </summary>
    public string? ContentSha256 { get; private init; }

    /// <summary>
    /// For a header-signed request whose body is aws-chunked with signed chunks (<see cref="ContentSha256"/>
    /// is <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c> or <c>...-TRAILER</c>): the seed signature, time, scope and
    /// signing key the chunk signatures chain from, for <see cref="AwsChunkedDecodingStream"/>. Null otherwise.
    /// The signing key inside is usable only by this assembly's chunk verification, never readable.
    /// </summary>
    public SigV4ChunkSigningContext? ChunkSigning { get; private init; }

    /// <summary>Stable error code (<see cref="ErrorCodes"/>) on failure: <c>MissingAuthentication</c>,
    /// <c>IncompleteSignature</c>, <c>InvalidAccessKeyId</c>, <c>SignatureDoesNotMatch</c> or <c>RequestExpired</c>.</summary>
    public string? ErrorCode { get; private init; }

    /// <summary>Human-readable reason on failure; never contains a secret.</summary>
    public string? ErrorMessage { get; private init; }

    /// <summary>
    /// On a signature mismatch, the canonical request the server computed, for the client to compare with
    /// its own (AWS returns it too); null otherwise.
    /// </summary>
    public string? CanonicalRequest { get; private init; }

    /// <summary>On a signature mismatch, the string to sign the server computed; null otherwise.</summary>
    public string? StringToSign { get; private init; }

    /// <summary>
    /// When the credential scope names the right service but another region (a client configured for the wrong
    /// region), that region: a plain name of at most 32 letters, digits and <c>-</c>. Null otherwise. S3 answers such
    /// a request with <c>AuthorizationHeaderMalformed</c> and the expected region, which clients retry in.
    /// </summary>
    public string? ScopeRegion { get; private init; }

    /// <summary>
    /// True when a presigned request failed because its <c>X-Amz-Expires</c> is outside 1 second to 7 days (the code is
    /// <c>RequestExpired</c>, as for an expired URL). S3 answers such a URL as malformed, not as expired.
    /// </summary>
    public bool ExpiresOutOfRange { get; private init; }

    /// <summary>Creates a success result.</summary>
    /// <param name="accessKeyId">Access key id of the credential; required.</param>
    /// <param name="sessionToken">Session token, or null.</param>
    /// <param name="signedAt">Signing time (UTC).</param>
    /// <param name="isPresigned">True for a presigned URL.</param>
    /// <param name="expiresAt">End of a presigned URL's validity, or null.</param>
    /// <param name="contentSha256">Payload hash the signature covers; required.</param>
    public static SigV4Result Success(
        string accessKeyId,
        string? sessionToken,
        DateTimeOffset signedAt,
        bool isPresigned,
        DateTimeOffset? expiresAt,
        string contentSha256) =>
        Success(accessKeyId, sessionToken, signedAt, isPresigned, expiresAt, contentSha256, chunkSigning: null);

    /// <summary>Creates a success result for a request whose aws-chunked body has signed chunks.</summary>
    /// <param name="accessKeyId">Access key id of the credential; required.</param>
    /// <param name="sessionToken">Session token, or null.</param>
    /// <param name="signedAt">Signing time (UTC).</param>
    /// <param name="isPresigned">True for a presigned URL.</param>
    /// <param name="expiresAt">End of a presigned URL's validity, or null.</param>
    /// <param name="contentSha256">Payload hash the signature covers; required.</param>
    /// <param name="chunkSigning">What the chunk signatures chain from, or null when the body has no signed chunks.</param>
    public static SigV4Result Success(
        string accessKeyId,
        string? sessionToken,
        DateTimeOffset signedAt,
        bool isPresigned,
        DateTimeOffset? expiresAt,
        string contentSha256,
        SigV4ChunkSigningContext? chunkSigning)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentNullException.ThrowIfNull(contentSha256);
        return new SigV4Result
        {
            Succeeded = true,
            AccessKeyId = accessKeyId,
            SessionToken = sessionToken,
            SignedAt = signedAt,
            IsPresigned = isPresigned,
            ExpiresAt = expiresAt,
            ContentSha256 = contentSha256,
            ChunkSigning = chunkSigning,
        };
    }

    /// <summary>Creates a failure result.</summary>
    /// <param name="errorCode">Stable error code; required.</param>
    /// <param name="errorMessage">Reason; required.</param>
    /// <param name="accessKeyId">Access key id, when it was parsed.</param>
    public static SigV4Result Failure(string errorCode, string errorMessage, string? accessKeyId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        ArgumentException.ThrowIfNullOrEmpty(errorMessage);
        return new SigV4Result { ErrorCode = errorCode, ErrorMessage = errorMessage, AccessKeyId = accessKeyId };
    }

    internal static SigV4Result ExpiryOutOfRange(string errorMessage, string? accessKeyId) => new()
    {
        ErrorCode = ErrorCodes.RequestExpired,
        ErrorMessage = errorMessage,
        AccessKeyId = accessKeyId,
        ExpiresOutOfRange = true,
    };

    internal static SigV4Result WrongRegion(string errorCode, string errorMessage, string? accessKeyId, string region) => new()
    {
        ErrorCode = errorCode,
        ErrorMessage = errorMessage,
        AccessKeyId = accessKeyId,
        ScopeRegion = region,
    };

    internal static SigV4Result Mismatch(string accessKeyId, string canonicalRequest, string stringToSign) => new()
    {
        ErrorCode = ErrorCodes.SignatureDoesNotMatch,
        ErrorMessage = "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.",
        AccessKeyId = accessKeyId,
        CanonicalRequest = canonicalRequest,
        StringToSign = stringToSign,
    };

    /// <inheritdoc />
    public override string ToString() => Succeeded
        ? $"SigV4Result {{ Succeeded, AccessKeyId = {AccessKeyId}, IsPresigned = {IsPresigned} }}"
        : $"SigV4Result {{ {ErrorCode}: {ErrorMessage} }}";
}
