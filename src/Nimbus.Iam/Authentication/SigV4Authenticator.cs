using System.Net;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Accounts;

namespace Nimbus.Iam.Authentication;

/// <summary>
/// Turns a SigV4-signed request into a caller: verifies the signature with the verifier of the protocol
/// (the REST API's <c>nimbus</c> service, S3's <c>s3</c>), resolves the access key or the STS session behind
/// it and checks the session token and expiry. Shared by every door of the platform so that a key or a
/// session means the same thing everywhere.
/// </summary>
public sealed partial class SigV4Authenticator(AccessKeyService keys, Sts.StsService sts, PlatformAccount platform, TimeProvider time, ILogger<SigV4Authenticator> logger)
{
    /// <summary>Verifies <paramref name="request"/>; throws <see cref="SigV4AuthenticationException"/> (401/403/400) when it does not authenticate.</summary>
    /// <param name="verifier">The protocol's verifier (service, region, S3 mode).</param>
    /// <param name="request">The request as received.</param>
    /// <param name="origin">Where the request came from, for the caller's condition keys and the log.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    public async ValueTask<SigV4Authentication> AuthenticateAsync(SigV4Verifier verifier, SigV4Request request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(request);
        AuthenticatedKey? key = null;
        Sts.SessionRecord? session = null;
        var result = await verifier.VerifyAsync(
            request,
            async (id, ct) =>
            {
                if (Sts.StsService.IsSessionKey(id))
                {
                    session = await sts.FindSessionAsync(id, ct).ConfigureAwait(false);
                    return session?.Secret;
                }

                key = await keys.FindForAuthenticationAsync(id, ct).ConfigureAwait(false);
                return key is { Active: true } ? key.Secret : null;
            },
            cancellationToken).ConfigureAwait(false);

        if (result.Succeeded && session is not null)
        {
            var sessionCaller = SessionCaller(session, result, origin);

            // Read from the store on every request signed with a session, so that a revocation made
            // through any replica holds at once.
            if (await sts.RevokedAtAsync(session, cancellationToken).ConfigureAwait(false) is { } revokedAt)
            {
                throw Reject(origin, ErrorCodes.ExpiredToken, $"The security token was revoked at {revokedAt:O}; request new credentials.", result);
            }

            return new SigV4Authentication(sessionCaller, result);
        }

        if (!result.Succeeded || key is null)
        {
            var code = result.ErrorCode ?? ErrorCodes.SignatureDoesNotMatch;
            var message = result.ErrorMessage ?? "The request signature could not be verified.";
            if (code == ErrorCodes.InvalidAccessKeyId && key is { Active: false })
            {
                message = $"Access key {key.AccessKeyId} is inactive.";
            }

            throw Reject(origin, code, message, result);
        }

        if (result.SessionToken is not null)
        {
            // Long-term access keys carry no session; a token with one is forged or misrouted.
            throw Reject(origin, ErrorCodes.InvalidAccessKeyId, "The security token included in the request is invalid for this access key.", result);
        }

        keys.RecordUse(key.AccessKeyId);
        var caller = new CallerContext
        {
            Account = key.Account,
            Principal = key.Principal,
            UserName = key.UserName,
            AccessKeyId = key.AccessKeyId,
            SessionToken = result.SessionToken,
            IsPlatformAdministrator = platform.IsPlatform(key.Account),
            SourceIp = origin.SourceIp,
            SecureTransport = origin.SecureTransport,
        };
        return new SigV4Authentication(caller, result);
    }

    /// <summary>The HTTP status of an authentication failure code.</summary>
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.MissingAuthentication => 401,
        ErrorCodes.IncompleteSignature => 400,
        _ => 403,
    };

    private CallerContext SessionCaller(Sts.SessionRecord session, SigV4Result result, RequestOrigin origin)
    {
        if (!Sts.StsService.TokenMatches(session, result.SessionToken))
        {
            throw Reject(origin, ErrorCodes.InvalidAccessKeyId, "The security token included in the request is invalid.", result);
        }

        if (time.GetUtcNow() >= session.ExpiresAt)
        {
            throw Reject(origin, ErrorCodes.ExpiredToken, $"The security token expired at {session.ExpiresAt:O}.", result);
        }

        return new CallerContext
        {
            Account = session.Account,
            Principal = session.Principal,
            UserName = session.RoleId is null ? session.SessionName : null,
            AccessKeyId = result.AccessKeyId,
            SessionToken = result.SessionToken,
            SessionName = session.SessionName,
            RoleId = session.RoleId,
            SessionPolicy = session.Policy,
            MfaPresent = session.MfaAuthenticated,
            IsPlatformAdministrator = session.RoleId is null && platform.IsPlatform(session.Account),
            SourceIp = origin.SourceIp,
            SecureTransport = origin.SecureTransport,
        };
    }

    private SigV4AuthenticationException Reject(RequestOrigin origin, string code, string message, SigV4Result result)
    {
        LogRejected(origin.RequestId, code, result.AccessKeyId ?? "-");
        return new SigV4AuthenticationException(code, StatusOf(code), message, result);
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Request {RequestId} refused by authentication: {Code} (access key {AccessKeyId})")]
    private partial void LogRejected(string requestId, string code, string accessKeyId);
}

/// <summary>An authenticated request: who calls, and what the verifier established (payload hash, presigning).</summary>
public sealed record SigV4Authentication(CallerContext Caller, SigV4Result Result);

/// <summary>Facts about a request's transport that authentication passes on to the caller.</summary>
/// <param name="RequestId">The request id, for the log.</param>
/// <param name="SourceIp">Peer address (condition key <c>nimbus:SourceIp</c>).</param>
/// <param name="SecureTransport">True over TLS.</param>
public readonly record struct RequestOrigin(string RequestId, IPAddress? SourceIp, bool SecureTransport);

/// <summary>A request that did not authenticate; carries the verifier's result (on a mismatch, the canonical request it computed).</summary>
public sealed class SigV4AuthenticationException(string code, int status, string message, SigV4Result result)
    : NimbusException(code, status, message)
{
    public SigV4Result Result { get; } = result;
}
