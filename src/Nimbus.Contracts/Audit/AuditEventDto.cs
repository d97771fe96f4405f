using System.Text.Json;

namespace Nimbus.Contracts.Audit;

/// <summary>One record of the audit trail: an API request under <c>/v1</c>, allowed or not.</summary>
public sealed record AuditEventDto
{
    /// <summary>Opaque, unique id of the record (stable across queries).</summary>
    public required string EventId { get; init; }

    /// <summary>Time the request reached the API (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The request id (<c>X-Request-Id</c>) of the request.</summary>
    public required string RequestId { get; init; }

    /// <summary>Account of the caller; null when the request was not authenticated.</summary>
    public string? Account { get; init; }

    /// <summary>NRN of the authenticated principal; null when the request was not authenticated.</summary>
    public string? Principal { get; init; }

    /// <summary>User name of the principal, when it is a user.</summary>
    public string? UserName { get; init; }

    /// <summary>Assumed role session name; null for long-term credentials.</summary>
    public string? SessionName { get; init; }

    /// <summary>Access key id the request was signed with, when one could be read (also for refused signatures).</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>IP address the request came from.</summary>
    public string? SourceIp { get; init; }

    /// <summary>The <c>User-Agent</c> header, at most 512 characters.</summary>
    public string? UserAgent { get; init; }

    /// <summary>HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Request path (no query string).</summary>
    public required string Path { get; init; }

    /// <summary>IAM action (<c>service:Verb</c>); null for unknown routes.</summary>
    public string? Action { get; init; }

    /// <summary>NRNs the request acted on, as authorization saw them; empty when it never got that far.</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary><c>allowed</c>, <c>denied</c> (authentication or authorization refused it) or <c>error</c> (see <see cref="AuditOutcomes"/>).</summary>
    public required string Outcome { get; init; }

    /// <summary>HTTP status of the answer.</summary>
    public required int Status { get; init; }

    /// <summary>Problem <c>code</c> of a failed request; null on success.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>
    /// JSON body of a write (POST, PUT, PATCH, DELETE) with secrets replaced by <c>***REDACTED***</c>; a body over
    /// 16 KB is a JSON string holding its first 16 KB and a truncation marker. Null for reads and empty bodies.
    /// </summary>
    public JsonElement? RequestParameters { get; init; }
}
