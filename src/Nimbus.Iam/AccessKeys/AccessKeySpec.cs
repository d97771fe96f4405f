namespace Nimbus.Iam.AccessKeys;

/// <summary>Desired state of an access key. The secret is not here: it lives encrypted in the key/value space.</summary>
public sealed record AccessKeySpec
{
    public required string UserName { get; init; }

    public required string UserId { get; init; }

    /// <summary><c>active</c> or <c>inactive</c>.</summary>
    public required string State { get; init; }
}

public static class AccessKeyStates
{
    public const string Active = "active";
    public const string Inactive = "inactive";
}
