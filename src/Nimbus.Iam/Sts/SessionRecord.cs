namespace Nimbus.Iam.Sts;

/// <summary>A role session as stored (encrypted): the secret, a hash of the token, who and until when.</summary>
public sealed record SessionRecord
{
    public required string Secret { get; init; }

    public required string TokenHash { get; init; }

    public required string RoleId { get; init; }

    public required string RoleName { get; init; }

    public required string Account { get; init; }

    public required string SessionName { get; init; }

    public required string SourcePrincipal { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public string? Policy { get; init; }

    public string Principal => $"nrn:nimbus:sts::{Account}:assumed-role/{RoleName}/{SessionName}";

    public override string ToString() => $"SessionRecord {{ Principal = {Principal}, ExpiresAt = {ExpiresAt} }}";
}
