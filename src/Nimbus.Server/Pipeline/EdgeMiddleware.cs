using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Server.Metrics;

namespace Nimbus.Server.Pipeline;

/// <summary>
/// The outermost step: request id (echoed or generated), latency and status metrics, and the
/// one place where exceptions become problem+json. A user never sees a stack trace or a 500
/// for input they sent.
/// </summary>
public sealed partial class EdgeMiddleware(RequestDelegate next, NimbusMetrics metrics, ILogger<EdgeMiddleware> logger)
{
    public const string RequestIdHeader = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        context.TraceIdentifier = IsUsableRequestId(incoming) ? incoming : ResourceIds.NewRequestId();
        context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
        try
        {
            await next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.Response.ContentLength is null && context.Response.ContentType is null)
            {
                if (context.Response.StatusCode == 404)
                {
                    await ProblemWriter.WriteAsync(context, ProblemWriter.Create(context, 404, ErrorCodes.RouteNotFound, $"No API route matches {context.Request.Method} {context.Request.Path}.")).ConfigureAwait(false);
                }
                else if (context.Response.StatusCode == 405)
                {
                    await ProblemWriter.WriteAsync(context, ProblemWriter.Create(context, 405, ErrorCodes.MethodNotAllowed, $"{context.Request.Method} is not allowed on {context.Request.Path}.")).ConfigureAwait(false);
                }
                else if (context.Response.StatusCode == 415)
                {
                    await ProblemWriter.WriteAsync(context, ProblemWriter.Create(context, 415, ErrorCodes.UnsupportedMediaType, "Send the body as application/json.")).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, ex).ConfigureAwait(false);
        }
        finally
        {
            var route = RouteLabel(context);
            metrics.ObserveRequest(context.Request.Method, route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task WriteErrorAsync(HttpContext context, Exception exception)
    {
        context.Response.Clear();
        context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
        switch (exception)
        {
            case NimbusException nimbus:
                if (nimbus.Status >= 500)
                {
                    LogServerFault(exception, context.TraceIdentifier, nimbus.Code);
                }

                await ProblemWriter.WriteAsync(context, nimbus).ConfigureAwait(false);
                return;
            case BadHttpRequestException bad:
                await ProblemWriter.WriteAsync(context, BadRequestProblem(context, bad)).ConfigureAwait(false);
                return;
            case JsonException json:
                await ProblemWriter.WriteAsync(context, ProblemWriter.Create(context, 400, ErrorCodes.MalformedRequest, "The body is not valid JSON for this request: " + json.Message)).ConfigureAwait(false);
                return;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                // The client went away; 499 is what proxies log for it.
                context.Response.StatusCode = 499;
                return;
            default:
                LogUnhandled(exception, context.TraceIdentifier, context.Request.Method, context.Request.Path.Value ?? "");
                await ProblemWriter.WriteAsync(context, ProblemWriter.Create(context, 500, ErrorCodes.InternalError, "An internal error occurred. Quote the request id when reporting it.")).ConfigureAwait(false);
                return;
        }
    }

    private static Contracts.Errors.ProblemDto BadRequestProblem(HttpContext context, BadHttpRequestException bad)
    {
        var status = bad.StatusCode;
        if (status == 413)
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return ProblemWriter.Create(context, 413, ErrorCodes.RequestTooLarge, $"The request body is larger than the limit of {limit} bytes.");
        }

        if (status == 415)
        {
            return ProblemWriter.Create(context, 415, ErrorCodes.UnsupportedMediaType, "Send the body as application/json.");
        }

        // Minimal APIs wrap the serializer's message; the inner exception says which field and where.
        var detail = bad.InnerException is JsonException json ? "The body is not valid JSON for this request: " + json.Message : bad.Message;
        return ProblemWriter.Create(context, 400, ErrorCodes.MalformedRequest, detail);
    }

    private static string RouteLabel(HttpContext context)
    {
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw })
        {
            // Group routes end in '/' ("/v1/demo/widgets/"); label them as users write them.
            return raw.Length > 1 && raw[^1] == '/' ? raw[..^1] : raw;
        }

        return "unmatched";
    }

    private static bool IsUsableRequestId(string id)
    {
        if (id.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c < 0x21 || c > 0x7e)
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "Unhandled error in request {RequestId} {Method} {Path}")]
    private partial void LogUnhandled(Exception ex, string requestId, string method, string path);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Request {RequestId} failed with {Code}")]
    private partial void LogServerFault(Exception ex, string requestId, string code);
}
