using System.Net;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Sdk.Json;

namespace Nimbus.Sdk.Http;

/// <summary>Turns a non-success answer into a <see cref="NimbusApiException"/>, whatever its body.</summary>
internal static class ProblemParser
{
    private const int MaxDetailLength = 500;

    public static NimbusApiException ToException(HttpStatusCode status, string? reasonPhrase, string? contentType, byte[] body, string? requestIdHeader, TimeSpan? retryAfter)
    {
        var problem = TryParse(body, contentType) ?? Synthesize(status, reasonPhrase, contentType, body);
        problem = problem with
        {
            Status = problem.Status == 0 ? (int)status : problem.Status,
            RequestId = problem.RequestId ?? requestIdHeader,
            Code = string.IsNullOrEmpty(problem.Code) ? CodeFor(status) : problem.Code,
            Errors = problem.Errors ?? [],
        };
        return new NimbusApiException(status, problem, retryAfter);
    }

    private static ProblemDto? TryParse(byte[] body, string? contentType)
    {
        if (body.Length == 0 || contentType is null || !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var hasCode = root.TryGetProperty("code", out _);

            // A framework-made problem (ASP.NET's own 404/405) has title and detail but no Nimbus code.
            if (!hasCode && !root.TryGetProperty("title", out _) && !root.TryGetProperty("detail", out _))
            {
                return null;
            }

            var problem = root.Deserialize<ProblemDto>(NimbusJson.Options);
            return problem is null || hasCode ? problem : problem with { Code = "" };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A proxy or a crashed server answers HTML or plain text; keep its first words so the user sees something useful.
    private static ProblemDto Synthesize(HttpStatusCode status, string? reasonPhrase, string? contentType, byte[] body)
    {
        string detail;
        var text = body.Length == 0 ? "" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxDetailLength * 4)).Trim();
        if (text.Length == 0)
        {
            detail = $"The server answered {(int)status} {reasonPhrase ?? status.ToString()} without details.";
        }
        else
        {
            var excerpt = text.Length > MaxDetailLength ? text[..MaxDetailLength] + "..." : text;
            detail = $"The server answered {(int)status} {reasonPhrase ?? status.ToString()} ({contentType ?? "no content type"}): {excerpt}";
        }

        return new ProblemDto { Status = (int)status, Title = reasonPhrase, Detail = detail, Code = CodeFor(status) };
    }

    public static string CodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => ErrorCodes.MalformedRequest,
        HttpStatusCode.Unauthorized => ErrorCodes.MissingAuthentication,
        HttpStatusCode.Forbidden => ErrorCodes.AccessDenied,
        HttpStatusCode.NotFound => ErrorCodes.NotFound,
        HttpStatusCode.MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        HttpStatusCode.Conflict => ErrorCodes.Conflict,
        HttpStatusCode.RequestEntityTooLarge => ErrorCodes.RequestTooLarge,
        HttpStatusCode.UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        HttpStatusCode.TooManyRequests => ErrorCodes.Throttled,
        HttpStatusCode.ServiceUnavailable => ErrorCodes.ServiceUnavailable,
        _ => ErrorCodes.InternalError,
    };
}
