namespace Nimbus.Core.Api;

/// <summary>Who is calling: set by authentication, read by authorization, handlers and audit.</summary>
public sealed record CallerContext
{
    public required string Account { get; init; }

    /// <summary>NRN of the authenticated principal (a user today; roles and sessions later).</summary>
    public required string Principal { get; init; }

    public string? UserName { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SessionToken { get; init; }

    /// <summary>For an assumed-role session: the session name (audit) and the role's id.</summary>
    public string? SessionName { get; init; }

    public string? RoleId { get; init; }

    /// <summary>For an assumed-role session: the session policy (JSON text) that narrows the role, if any.</summary>
    public string? SessionPolicy { get; init; }

    /// <summary>True for principals of the platform's own account, who administer every account.</summary>
    public bool IsPlatformAdministrator { get; init; }

    /// <summary>Address the request came from (condition key <c>nimbus:SourceIp</c>).</summary>
    public System.Net.IPAddress? SourceIp { get; init; }

    /// <summary>True when the request came over TLS (condition key <c>nimbus:SecureTransport</c>).</summary>
    public bool SecureTransport { get; init; }
}
