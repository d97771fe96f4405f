using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Core.Api;

/// <summary>Writes RFC 9457 problem+json answers with the stable code and the request id.</summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static ProblemDto Create(HttpContext context, int status, string code, string detail, IReadOnlyList<FieldErrorDto>? errors = null) => new()
    {
        Type = "https://nimbus.dev/problems/" + code,
        Title = TitleOf(status),
        Status = status,
        Detail = detail,
        Instance = context.Request.Path.Value,
        Code = code,
        RequestId = context.TraceIdentifier,
        Errors = errors ?? [],
    };

    public static Task WriteAsync(HttpContext context, NimbusException error)
    {
        foreach (var (name, value) in error.Headers)
        {
            context.Response.Headers[name] = value;
        }

        return WriteAsync(context, Create(context, error.Status, error.Code, error.Message, error.FieldErrors) with { Quota = error.Quota });
    }

    public static async Task WriteAsync(HttpContext context, ProblemDto problem)
    {
        context.Response.StatusCode = problem.Status;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, problem, NimbusJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    public static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => status >= 500 ? "Internal Server Error" : "Error",
    };
}
