using System.Text.Json.Serialization;

namespace Nimbus.Contracts.Errors;

/// <summary>RFC 9457 problem details as Nimbus sends them (<c>application/problem+json</c>).</summary>
public sealed record ProblemDto
{
    /// <summary>URI naming the problem type: <c>https://nimbus.dev/problems/&lt;code&gt;</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Short summary of the problem type.</summary>
    public string? Title { get; init; }

    /// <summary>HTTP status code.</summary>
    public int Status { get; init; }

    /// <summary>Explanation of this occurrence.</summary>
    public string? Detail { get; init; }

    /// <summary>Request path.</summary>
    public string? Instance { get; init; }

    /// <summary>Stable error code, see <see cref="ErrorCodes"/>.</summary>
    public string Code { get; init; } = ErrorCodes.InternalError;

    /// <summary>The request id (also in the <c>X-Request-Id</c> header).</summary>
    public string? RequestId { get; init; }

    /// <summary>Field-level validation failures; empty when not a validation error.</summary>
    public IReadOnlyList<FieldErrorDto> Errors { get; init; } = [];

    /// <summary>For <c>QuotaExceeded</c>: the quota, its limit and usage and the amount asked; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuotaProblemDto? Quota { get; init; }
}

/// <summary>One validation failure of one field.</summary>
public sealed record FieldErrorDto
{
    /// <summary>JSON path of the field, e.g. <c>spec.size</c>.</summary>
    public required string Field { get; init; }

    /// <summary>What is wrong with it.</summary>
    public required string Message { get; init; }
}
