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
public sealed class SigV4AuthenticationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly SigV4Authenticator _authenticator;
    private readonly Console.ConsoleSessionService _console;
    private readonly PlatformAccount _platform;
    private readonly SigV4Verifier _verifier;

    public SigV4AuthenticationMiddleware(RequestDelegate next, SigV4Authenticator authenticator, Console.ConsoleSessionService console, PlatformAccount platform, SigV4AuthenticationOptions options, TimeProvider time)
    {
        _next = next;
        _authenticator = authenticator;
        _console = console;
        _platform = platform;
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

        var streamed = StreamedBody(context);
        string? payloadHash = null;
        if (streamed is null)
        {
            var body = await BufferBodyAsync(context).ConfigureAwait(false);
            payloadHash = body.Length == 0 ? SigV4Signer.EmptyPayloadHash : SigV4Signer.HashPayload(body.Span);
        }

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

        var origin = new RequestOrigin(context.TraceIdentifier, context.Connection.RemoteIpAddress, context.Request.IsHttps);
        var authenticated = await _authenticator.AuthenticateAsync(_verifier, request, origin, context.RequestAborted).ConfigureAwait(false);
        if (streamed is not null)
        {
            // Without a body hash the verifier took the signed x-amz-content-sha256 (required, a hex hash, never
            // UNSIGNED-PAYLOAD here); the stream checks the body against it when the handler reaches its end.
            var signed = authenticated.Result.ContentSha256;
            if (signed is not { Length: 64 } || signed.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
            {
                throw new NimbusException(ErrorCodes.IncompleteSignature, 400, "This upload must be signed with the body's SHA-256 in x-amz-content-sha256 (presigned URLs and UNSIGNED-PAYLOAD are not accepted).");
            }

            context.Request.Body = new Sha256VerifyingStream(context.Request.Body, signed);
        }

        context.SetCaller(authenticated.Caller);
        await _next(context).ConfigureAwait(false);
    }

    /// <summary>The streamed-body declaration of the endpoint, with the request's body limit raised to it; null for buffered bodies.</summary>
    private static StreamedBodyMetadata? StreamedBody(HttpContext context)
    {
        var streamed = context.GetEndpoint()?.Metadata.GetMetadata<StreamedBodyMetadata>();
        if (streamed is not null && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = streamed.MaxBytes;
        }

        return streamed;
    }

    private async Task AuthenticateConsoleAsync(HttpContext context, string cookie)
    {
        StreamedBody(context);
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

    private static async ValueTask<ReadOnlyMemory<byte>> BufferBodyAsync(HttpContext context)
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

}
