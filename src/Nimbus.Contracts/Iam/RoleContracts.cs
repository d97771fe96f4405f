namespace Nimbus.Contracts.Iam;

/// <summary>Desired state of a role (the <c>spec</c> of an <c>iam/role</c> resource).</summary>
public sealed record RoleSpec
{
    /// <summary>Path, default <c>/</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Trust policy (JSON text): which principals may assume the role (<c>sts:AssumeRole</c>).</summary>
    public string? TrustPolicy { get; init; }

    /// <summary>Longest session, in seconds: 900 to 43200, default 3600.</summary>
    public int? MaxSessionDurationSeconds { get; init; }

    /// <summary>Attached managed policies: built-in names or policy ids.</summary>
    public IReadOnlyList<string>? AttachedPolicies { get; init; }

    /// <summary>Permissions boundary (built-in name or policy id): the most the role's policies can grant.</summary>
    public string? PermissionsBoundary { get; init; }

    /// <summary>Inline policies: name → document (JSON text), at most 10; they apply to every session.</summary>
    public IReadOnlyDictionary<string, string>? InlinePolicies { get; init; }

    /// <summary>Set by <c>:revoke-sessions</c> (UTC): sessions issued at or before this moment are refused (<c>403 ExpiredToken</c>).</summary>
    public DateTimeOffset? SessionsRevokedBefore { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/roles</c>.</summary>
public sealed record CreateRoleRequest
{
    /// <summary>Required. 1 to 64 characters of letters, digits and <c>+=,.@_-</c>; unique in the account.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Default <c>/</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Required. Trust policy naming who may assume the role, e.g. <c>{"Principal":{"Nimbus":"nrn:nimbus:iam::123456789012:user/usr-…"}}</c>.</summary>
    public string? TrustPolicy { get; init; }

    /// <summary>Optional. 900 to 43200 seconds; default 3600.</summary>
    public int? MaxSessionDurationSeconds { get; init; }
}

/// <summary>Body of <c>POST /v1/sts/assume-role</c>.</summary>
public sealed record AssumeRoleRequest
{
    /// <summary>Required. The role's NRN, or its name in the caller's account.</summary>
    public string? Role { get; init; }

    /// <summary>Required. 2 to 64 characters of letters, digits and <c>+=,.@_-</c>; names the session in the audit trail.</summary>
    public string? SessionName { get; init; }

    /// <summary>Optional. 900 to the role's maximum (at most 43200) seconds; default 3600.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>Optional session policy (JSON text): the session may do only what both it and the role allow.</summary>
    public string? Policy { get; init; }
}

/// <summary>Temporary credentials: sign requests with them and send the session token as <c>X-Amz-Security-Token</c>.</summary>
public sealed record TemporaryCredentialsDto
{
    /// <summary>Access key id (starts with <c>NSIA</c>).</summary>
    public required string AccessKeyId { get; init; }

    /// <summary>Secret access key.</summary>
    public required string SecretAccessKey { get; init; }

    /// <summary>Session token for <c>X-Amz-Security-Token</c>.</summary>
    public required string SessionToken { get; init; }

    /// <summary>When the credentials stop working (UTC).</summary>
    public required DateTimeOffset Expiration { get; init; }

    /// <summary>NRN of the assumed-role principal: <c>nrn:nimbus:sts::&lt;account&gt;:assumed-role/&lt;role&gt;/&lt;session&gt;</c>.</summary>
    public required string Principal { get; init; }
}

/// <summary>One temporary-credentials session, as listed for a role or answered by a revocation; the secret and token are never shown.</summary>
public sealed record SessionDto
{
    /// <summary>The session's access key id (<c>NSIA…</c>).</summary>
    public required string AccessKeyId { get; init; }

    /// <summary>The session name given to AssumeRole (the user name for GetSessionToken sessions).</summary>
    public required string SessionName { get; init; }

    /// <summary>The session's principal, e.g. <c>nrn:nimbus:sts::&lt;account&gt;:assumed-role/&lt;role&gt;/&lt;session&gt;</c>.</summary>
    public required string Principal { get; init; }

    /// <summary>Who opened the session.</summary>
    public required string SourcePrincipal { get; init; }

    /// <summary>When the session was issued (UTC); null for sessions issued before Nimbus recorded it.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>When the credentials expire (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the session was revoked (UTC), null while it is active.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>Body of <c>POST /v1/sts/revoke-session</c>.</summary>
public sealed record RevokeSessionRequest
{
    /// <summary>Required. The access key id (<c>NSIA…</c>) of the temporary credentials to revoke, in your account.</summary>
    public string? AccessKeyId { get; init; }
}
