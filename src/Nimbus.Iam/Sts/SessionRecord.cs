namespace Nimbus.Iam.Sts;

/// <summary>A role session as stored (encrypted): the secret, a hash of the token, who and until when.</summary>
public sealed record SessionRecord
{
    public required string Secret { get; init; }

    public required string TokenHash { get; init; }

    /// <summary>The assumed role's id; null for a user's own session (GetSessionToken).</summary>
    public string? RoleId { get; init; }

    public string? RoleName { get; init; }

    /// <summary>True when the session was opened with a valid MFA code.</summary>
    public bool MfaAuthenticated { get; init; }

    public required string Account { get; init; }

    public required string SessionName { get; init; }

    public required string SourcePrincipal { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public string? Policy { get; init; }

    /// <summary>When the session was issued; null for records written before it was kept (revoking a role's sessions then covers them).</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>When the session was revoked on its own (<c>sts:RevokeSession</c>); null while active.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    public string Principal => RoleId is null ? SourcePrincipal : $"nrn:nimbus:sts::{Account}:assumed-role/{RoleName}/{SessionName}";

    public override string ToString() => $"SessionRecord {{ Principal = {Principal}, ExpiresAt = {ExpiresAt} }}";
}
