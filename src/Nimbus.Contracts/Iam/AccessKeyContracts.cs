namespace Nimbus.Contracts.Iam;

/// <summary>Body of <c>POST /v1/iam/access-keys</c>.</summary>
public sealed record CreateAccessKeyRequest
{
    /// <summary>User to create the key for; optional, defaults to the calling user.</summary>
    public string? UserName { get; init; }
}

/// <summary>An access key as listed; never carries the secret.</summary>
public sealed record AccessKeyDto
{
    /// <summary>The access key id used in SigV4 <c>Credential=</c>.</summary>
    public required string AccessKeyId { get; init; }

    /// <summary>Owning account id.</summary>
    public required string Account { get; init; }

    /// <summary>User the key belongs to.</summary>
    public required string UserName { get; init; }

    /// <summary>NRN of the principal the key authenticates as.</summary>
    public required string Principal { get; init; }

    /// <summary><c>active</c> or <c>inactive</c>.</summary>
    public required string State { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last time a request was authenticated with the key (UTC); null when never used.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>Answer of <c>POST /v1/iam/access-keys</c>: the only time the secret is shown.</summary>
public sealed record CreateAccessKeyResponse
{
    /// <summary>The new key.</summary>
    public required AccessKeyDto AccessKey { get; init; }

    /// <summary>The secret access key. Store it now: it is never shown again.</summary>
    public required string SecretAccessKey { get; init; }
}

/// <summary>Answer of <c>GET /v1/sts/caller-identity</c> (<c>nimbus whoami</c>).</summary>
public sealed record CallerIdentityDto
{
    /// <summary>Account id of the caller.</summary>
    public required string Account { get; init; }

    /// <summary>NRN of the authenticated principal.</summary>
    public required string Principal { get; init; }

    /// <summary>User name, or null for a non-user principal.</summary>
    public string? UserName { get; init; }

    /// <summary>Access key id the request was signed with.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>True for the platform administrator.</summary>
    public bool IsPlatformAdministrator { get; init; }
}
