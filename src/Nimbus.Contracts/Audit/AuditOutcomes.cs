namespace Nimbus.Contracts.Audit;

/// <summary>Values of <see cref="AuditEventDto.Outcome"/>.</summary>
public static class AuditOutcomes
{
    /// <summary>The request was authenticated, authorized and succeeded (status below 400).</summary>
    public const string Allowed = "allowed";

    /// <summary>Authentication (401, 403) or authorization (403) refused the request.</summary>
    public const string Denied = "denied";

    /// <summary>Any other failure: validation, not found, conflict, throttling, internal error.</summary>
    public const string Error = "error";

    /// <summary>Tells whether <paramref name="value"/> is one of the outcomes.</summary>
    /// <param name="value">Candidate outcome.</param>
    /// <returns>True for <c>allowed</c>, <c>denied</c> or <c>error</c>.</returns>
    public static bool IsKnown(string? value) => value is Allowed or Denied or Error;
}
