using System.Text.Json;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;
using Nimbus.Core.Errors;

namespace Nimbus.Server.Pipeline;

/// <summary>
/// Records every <c>/v1</c> request in the audit trail — allowed, refused by authentication or
/// authorization, failed, or unrouted. Placed right after <see cref="EdgeMiddleware"/>, so it sees the
/// exception that the edge turns into problem+json. The record is queued when the response starts
/// (status final, nothing sent yet), so a client that has its answer can already query the record;
/// a request whose response never starts (client gone) is recorded when it completes.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditTrail trail, TimeProvider time)
{
    public const int MaxUserAgentLength = 512;

    private static readonly PathString ApiRoot = new("/v1");

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(ApiRoot))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var pending = new PendingAuditRecord(trail, context, time.GetUtcNow());
        context.Response.OnStarting(static state => ((PendingAuditRecord)state).RecordAsync(), pending);
        context.Response.OnCompleted(static state => ((PendingAuditRecord)state).RecordAsync(), pending);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            pending.Failure = ex;
            throw;
        }
    }

    /// <summary>Builds the record of a finished request (public for tests of the mapping).</summary>
    public static AuditEvent BuildRecord(HttpContext context, DateTimeOffset time, Exception? failure)
    {
        var caller = context.FindCaller();
        var decision = AuthorizationMiddleware.DecisionOf(context);
        var endpoint = context.GetEndpoint();
        var status = context.Response.StatusCode;
        var errorCode = status >= 400 ? ErrorCodeOf(status, failure, endpoint) : null;
        var method = context.Request.Method;
        var userAgent = context.Request.Headers.UserAgent.ToString();
        return new AuditEvent
        {
            Time = time,
            RequestId = context.TraceIdentifier,
            Account = caller?.Account,
            Principal = caller?.Principal,
            UserName = caller?.UserName,
            SessionName = caller?.SessionName,
            AccessKeyId = caller?.AccessKeyId ?? AccessKeyIdOf(context.Request),
            SourceIp = SourceIpOf(context),
            UserAgent = userAgent.Length == 0 ? null : userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent,
            Method = method,
            Path = context.Request.Path.Value ?? "/",
            Action = decision?.Action ?? endpoint?.Metadata.GetMetadata<ActionMetadata>()?.Action,
            Resources = decision?.Resources ?? [],
            Outcome = OutcomeOf(status, errorCode),
            Status = status,
            ErrorCode = errorCode,
            RequestParameters = context.AuditParameters() ?? (IsWrite(method) ? AuditRedactor.Redact(context.BufferedBody().Span) : null),
        };
    }

    private static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static string OutcomeOf(int status, string? errorCode) =>
        status < 400 ? AuditOutcomes.Allowed
        : status is 401 or 403 || errorCode == ErrorCodes.IncompleteSignature ? AuditOutcomes.Denied
        : AuditOutcomes.Error;

    // Mirrors what EdgeMiddleware writes for the same outcome, so the record names the code the client saw.
    private static string? ErrorCodeOf(int status, Exception? failure, Endpoint? endpoint) => failure switch
    {
        NimbusException nimbus => nimbus.Code,
        BadHttpRequestException { StatusCode: 413 } => ErrorCodes.RequestTooLarge,
        BadHttpRequestException { StatusCode: 415 } => ErrorCodes.UnsupportedMediaType,
        BadHttpRequestException or JsonException => ErrorCodes.MalformedRequest,
        OperationCanceledException when status == 499 => null,
        not null => ErrorCodes.InternalError,
        null => status switch
        {
            404 when endpoint is null => ErrorCodes.RouteNotFound,
            405 => ErrorCodes.MethodNotAllowed,
            415 => ErrorCodes.UnsupportedMediaType,
            _ => null,
        },
    };

    private static string? SourceIpOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The access key id of a request that authentication refused, if its credential could be read.</summary>
    private static string? AccessKeyIdOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var credential = "";
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (at >= 0)
        {
            credential = authorization[(at + "Credential=".Length)..];
        }
        else if (request.Query.TryGetValue("X-Amz-Credential", out var query))
        {
            credential = query.ToString();
        }

        var slash = credential.IndexOf('/');
        if (slash <= 0 || slash > 128)
        {
            return null;
        }

        var id = credential[..slash];
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return null;
            }
        }

        return id;
    }
}
