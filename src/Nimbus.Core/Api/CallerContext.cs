namespace Nimbus.Core.Api;

/// <summary>Who is calling: set by authentication, read by authorization, handlers and audit.</summary>
public sealed record CallerContext
{
    /// <summary>The <see cref="Principal"/> of an unsigned request (see <see cref="Anonymous"/>).</summary>
    public const string AnonymousPrincipal = "*";

    /// <summary>The caller's 12-digit account id; empty for an anonymous caller.</summary>
    public required string Account { get; init; }

    /// <summary>NRN of the authenticated principal (a user, an assumed-role session), or <c>*</c> for an anonymous caller.</summary>
    public required string Principal { get; init; }

    public string? UserName { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SessionToken { get; init; }

    /// <summary>For an assumed-role session: the session name (audit) and the role's id.</summary>
    public string? SessionName { get; init; }

    public string? RoleId { get; init; }

    /// <summary>For an assumed-role session: the session policy (JSON text) that narrows the role, if any.</summary>
    public string? SessionPolicy { get; init; }

    /// <summary>True for a session opened with a valid MFA code (condition key <c>nimbus:MultiFactorAuthPresent</c>).</summary>
    public bool MfaPresent { get; init; }

    /// <summary>True for principals of the platform's own account, who administer every account.</summary>
    public bool IsPlatformAdministrator { get; init; }

    /// <summary>Address the request came from (condition key <c>nimbus:SourceIp</c>).</summary>
    public System.Net.IPAddress? SourceIp { get; init; }

    /// <summary>True when the request came over TLS (condition key <c>nimbus:SecureTransport</c>).</summary>
    public bool SecureTransport { get; init; }

    /// <summary>True for an unsigned request: only a resource policy allowing <c>"Principal": "*"</c> lets it through.</summary>
    public bool IsAnonymous => Principal == AnonymousPrincipal;

    /// <summary>
    /// The caller of an unsigned request (e.g. an S3 GET on a public bucket): no account, principal <c>*</c>,
    /// no identity policies. Authorize it with the full form of <see cref="IAuthorizer.AuthorizeAsync(CallerContext, AuthorizationTarget, CancellationToken)"/>
    /// and the resource's policy; it is allowed only by statements whose <c>Principal</c> is <c>"*"</c>.
    /// </summary>
    /// <param name="sourceIp">The client's address (condition key <c>nimbus:SourceIp</c>); null when unknown.</param>
    /// <param name="secureTransport">Whether the request came over TLS (<c>nimbus:SecureTransport</c>).</param>
    public static CallerContext Anonymous(System.Net.IPAddress? sourceIp, bool secureTransport = false) =>
        new() { Account = "", Principal = AnonymousPrincipal, SourceIp = sourceIp, SecureTransport = secureTransport };
}
