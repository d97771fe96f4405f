using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Accounts;

namespace Nimbus.Iam.Authentication;

/// <summary>
/// Authenticates every request except anonymous endpoints with AWS Signature Version 4. The
/// body is buffered (bounded by Kestrel's body limit) and hashed so that the signed
/// <c>x-amz-content-sha256</c> is checked against what actually arrived.
/// </summary>
public sealed partial class SigV4AuthenticationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AccessKeyService _keys;
    private readonly Sts.StsService _sts;
    private readonly Console.ConsoleSessionService _console;
    private readonly TimeProvider _time;
    private readonly PlatformAccount _platform;
    private readonly SigV4Verifier _verifier;
    private readonly ILogger _logger;

    public SigV4AuthenticationMiddleware(RequestDelegate next, AccessKeyService keys, Sts.StsService sts, Console.ConsoleSessionService console, PlatformAccount platform, SigV4AuthenticationOptions options, TimeProvider time, ILogger<SigV4AuthenticationMiddleware> logger)
    {
        _next = next;
        _keys = keys;
        _sts = sts;
        _console = console;
        _time = time;
        _platform = platform;
        _logger = logger;
        _verifier = new SigV4Verifier(new SigV4VerifierOptions
        {
            Service = options.Service,
            Region = options.Region,
            MaxClockSkew = options.MaxClockSkew,
            TimeProvider = time,
        });
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AnonymousEndpointMetadata>() is not null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        if (!context.Request.Headers.ContainsKey("Authorization") && !context.Request.Query.ContainsKey("X-Amz-Algorithm")
            && context.Request.Cookies.TryGetValue(Console.ConsoleSessionService.CookieName, out var cookie))
        {
            await AuthenticateConsoleAsync(context, cookie).ConfigureAwait(false);
            return;
        }

        var body = await BufferBodyAsync(context).ConfigureAwait(false);
        var payloadHash = body.Length == 0 ? SigV4Signer.EmptyPayloadHash : SigV4Signer.HashPayload(body.Span);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString).ToString();
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var request = new SigV4Request
        {
            Method = context.Request.Method,
            RawPath = question < 0 ? target : target[..question],
            RawQuery = question < 0 ? "" : target[(question + 1)..],
            Headers = new HeaderDictionarySource(context.Request.Headers),
            PayloadHash = payloadHash,
        };

        AuthenticatedKey? key = null;
        Sts.SessionRecord? session = null;
        var result = await _verifier.VerifyAsync(
            request,
            async (id, ct) =>
            {
                if (Sts.StsService.IsSessionKey(id))
                {
                    session = await _sts.FindSessionAsync(id, ct).ConfigureAwait(false);
                    return session?.Secret;
                }

                key = await _keys.FindForAuthenticationAsync(id, ct).ConfigureAwait(false);
                return key is { Active: true } ? key.Secret : null;
            },
            context.RequestAborted).ConfigureAwait(false);

        if (result.Succeeded && session is not null)
        {
            await AuthenticateSessionAsync(context, session, result).ConfigureAwait(false);
            return;
        }

        if (!result.Succeeded || key is null)
        {
            var code = result.ErrorCode ?? ErrorCodes.SignatureDoesNotMatch;
            var message = result.ErrorMessage ?? "The request signature could not be verified.";
            if (code == ErrorCodes.InvalidAccessKeyId && key is { Active: false })
            {
                message = $"Access key {key.AccessKeyId} is inactive.";
            }

            LogRejected(context.TraceIdentifier, code, result.AccessKeyId ?? "-");
            throw new NimbusException(code, StatusOf(code), message);
        }

        if (result.SessionToken is not null)
        {
            // Long-term access keys carry no session; a token with one is forged or misrouted.
            // Temporary credentials (STS) will validate their tokens here.
            LogRejected(context.TraceIdentifier, ErrorCodes.InvalidAccessKeyId, key.AccessKeyId);
            throw new NimbusException(ErrorCodes.InvalidAccessKeyId, 403, "The security token included in the request is invalid for this access key.");
        }

        _keys.RecordUse(key.AccessKeyId);
        context.SetCaller(new CallerContext
        {
            Account = key.Account,
            Principal = key.Principal,
            UserName = key.UserName,
            AccessKeyId = key.AccessKeyId,
            SessionToken = result.SessionToken,
            IsPlatformAdministrator = _platform.IsPlatform(key.Account),
            SourceIp = context.Connection.RemoteIpAddress,
            SecureTransport = context.Request.IsHttps,
        });
        await _next(context).ConfigureAwait(false);
    }

    private async Task AuthenticateConsoleAsync(HttpContext context, string cookie)
    {
        var session = await _console.FindAsync(cookie, context.RequestAborted).ConfigureAwait(false)
            ?? throw new NimbusException(ErrorCodes.MissingAuthentication, 401, "The console session is unknown or has expired; sign in again.");
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
            && !Console.ConsoleSessionService.CsrfMatches(session, context.Request.Headers[Console.ConsoleSessionService.CsrfHeader].ToString()))
        {
            throw NimbusException.AccessDenied($"A state-changing request made with the console cookie needs the session's {Console.ConsoleSessionService.CsrfHeader} header.");
        }

        context.SetCaller(new CallerContext
        {
            Account = session.Account,
            Principal = session.Principal,
            UserName = session.UserName,
            SessionName = "console",
            MfaPresent = session.MfaAuthenticated,
            IsPlatformAdministrator = _platform.IsPlatform(session.Account),
            SourceIp = context.Connection.RemoteIpAddress,
            SecureTransport = context.Request.IsHttps,
        });
        await _next(context).ConfigureAwait(false);
    }

    private async Task AuthenticateSessionAsync(HttpContext context, Sts.SessionRecord session, SigV4Result result)
    {
        if (!Sts.StsService.TokenMatches(session, result.SessionToken))
        {
            LogRejected(context.TraceIdentifier, ErrorCodes.InvalidAccessKeyId, result.AccessKeyId ?? "-");
            throw new NimbusException(ErrorCodes.InvalidAccessKeyId, 403, "The security token included in the request is invalid.");
        }

        if (_time.GetUtcNow() >= session.ExpiresAt)
        {
            LogRejected(context.TraceIdentifier, ErrorCodes.ExpiredToken, result.AccessKeyId ?? "-");
            throw new NimbusException(ErrorCodes.ExpiredToken, 403, $"The security token expired at {session.ExpiresAt:O}.");
        }

        if (await _sts.RevokedAtAsync(session, context.RequestAborted).ConfigureAwait(false) is { } revokedAt)
        {
            LogRejected(context.TraceIdentifier, ErrorCodes.ExpiredToken, result.AccessKeyId ?? "-");
            throw new NimbusException(ErrorCodes.ExpiredToken, 403, $"The security token was revoked at {revokedAt:O}; request new credentials.");
        }

        context.SetCaller(new CallerContext
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
            IsPlatformAdministrator = session.RoleId is null && _platform.IsPlatform(session.Account),
            SourceIp = context.Connection.RemoteIpAddress,
            SecureTransport = context.Request.IsHttps,
        });
        await _next(context).ConfigureAwait(false);
    }

    private static int StatusOf(string code) => code switch
    {
        ErrorCodes.MissingAuthentication => 401,
        ErrorCodes.IncompleteSignature => 400,
        _ => 403,
    };

    private static async Task<ReadOnlyMemory<byte>> BufferBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        // Kestrel enforces MaxRequestBodySize while we read (413 via BadHttpRequestException).
        var initial = request.ContentLength is { } length and < 1024 * 1024 ? (int)length : 16 * 1024;
        var buffer = new ArrayBufferWriter<byte>(Math.Max(initial, 1));
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
        }

        var body = buffer.WrittenMemory;
        request.Body = new MemoryStream(buffer.WrittenSpan.ToArray(), writable: false);
        context.SetBufferedBody(body);
        return body;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Request {RequestId} refused by authentication: {Code} (access key {AccessKeyId})")]
    private partial void LogRejected(string requestId, string code, string accessKeyId);
}
