using System.Net;
using Nimbus.Contracts.Errors;

namespace Nimbus.Sdk;

/// <summary>The server answered with a non-success status; carries the problem+json details.</summary>
public sealed class NimbusApiException : NimbusClientException
{
    /// <summary>Creates the exception from a parsed problem.</summary>
    /// <param name="statusCode">HTTP status of the answer.</param>
    /// <param name="problem">The problem details (parsed or synthesized for a non-JSON body).</param>
    /// <param name="retryAfter">Delay from the <c>Retry-After</c> header; optional.</param>
    public NimbusApiException(HttpStatusCode statusCode, ProblemDto problem, TimeSpan? retryAfter = null)
        : base(MessageOf(statusCode, problem))
    {
        StatusCode = statusCode;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status code of the answer, e.g. 404.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Stable error code from the problem's <c>code</c>, e.g. <c>NotFound</c>.</summary>
    public override string Code => Problem.Code;

    /// <summary>Request id from the problem or the <c>X-Request-Id</c> header; null if the server sent neither.</summary>
    public string? RequestId => Problem.RequestId;

    /// <summary>The full problem details.</summary>
    public ProblemDto Problem { get; }

    /// <summary>Field-level validation failures; empty when the error is not about fields.</summary>
    public IReadOnlyList<FieldErrorDto> Errors => Problem.Errors;

    /// <summary>Delay the server asked for in <c>Retry-After</c>; null when absent.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True for 429 (throttled) and 503 (unavailable) answers.</summary>
    public override bool IsTransient => StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    private static string MessageOf(HttpStatusCode statusCode, ProblemDto problem) =>
        problem.Detail ?? problem.Title ?? $"The server answered {(int)statusCode} {statusCode}.";
}
