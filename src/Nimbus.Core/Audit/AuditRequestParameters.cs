using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Audit;

/// <summary>
/// What a request asked for, recorded in its audit record when the body does not say it: a WebSocket upgrade (exec)
/// carries its command in the query of a GET, whose body the audit trail never records.
/// </summary>
public static class AuditRequestParameters
{
    private static readonly object ParametersKey = new();

    /// <summary>Sets the request's parameters for its audit record: JSON, redacted like a body (secret-looking members hidden).</summary>
    public static void SetAuditParameters(this HttpContext context, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ParametersKey] = AuditRedactor.Redact(json);
    }

    /// <summary>The parameters an endpoint set with <see cref="SetAuditParameters"/>; null when none.</summary>
    public static string? AuditParameters(this HttpContext context) =>
        context.Items.TryGetValue(ParametersKey, out var value) ? value as string : null;
}
