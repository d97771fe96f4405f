namespace Nimbus.Contracts.Iam;

/// <summary>Desired state of a customer-managed policy (the <c>spec</c> of an <c>iam/policy</c> resource).</summary>
public sealed record PolicySpec
{
    /// <summary>Optional description.</summary>
    public string? Description { get; init; }

    /// <summary>The version in force, e.g. <c>v2</c>.</summary>
    public string? DefaultVersion { get; init; }

    /// <summary>Stored versions, oldest first; at most 5.</summary>
    public IReadOnlyList<PolicyVersionDto>? Versions { get; init; }
}

/// <summary>One version of a managed policy.</summary>
public sealed record PolicyVersionDto
{
    /// <summary><c>v1</c>, <c>v2</c>, ...</summary>
    public required string VersionId { get; init; }

    /// <summary>The policy document, JSON text as written.</summary>
    public required string Document { get; init; }

    /// <summary>When the version was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/policies</c>.</summary>
public sealed record CreatePolicyRequest
{
    /// <summary>Required. 1 to 128 characters of letters, digits and <c>+=,.@_-</c>; unique in the account and not a built-in name.</summary>
    public string? Name { get; init; }

    /// <summary>Optional description, up to 1000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Required. The policy document as JSON text (so errors can name line and column).</summary>
    public string? Document { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/policies/{id}/versions</c>.</summary>
public sealed record CreatePolicyVersionRequest
{
    /// <summary>Required. The new document as JSON text.</summary>
    public string? Document { get; init; }

    /// <summary>Optional. Make it the version in force; default true.</summary>
    public bool? SetAsDefault { get; init; }
}

/// <summary>An inline policy of a user, group or role (<c>GET /v1/iam/{users|groups|roles}/{id}/policies/{name}</c>).</summary>
public sealed record InlinePolicyDto
{
    /// <summary>The policy's name, unique among the principal's inline policies.</summary>
    public required string Name { get; init; }

    /// <summary>The document, JSON text exactly as it was put.</summary>
    public required string Document { get; init; }
}

/// <summary>Body of <c>PUT /v1/iam/{users|groups|roles}/{id}/policies/{name}</c>: an inline policy.</summary>
public sealed record PutInlinePolicyRequest
{
    /// <summary>Required. The policy document as JSON text.</summary>
    public string? Document { get; init; }
}

/// <summary>Body of <c>:attach-policy</c> and <c>:detach-policy</c> on users and groups.</summary>
public sealed record PolicyAttachmentRequest
{
    /// <summary>Required. A built-in policy name (e.g. <c>ReadOnlyAccess</c>), a policy name of the account, or a policy id.</summary>
    public string? Policy { get; init; }
}

/// <summary>A built-in (platform-managed) policy.</summary>
public sealed record BuiltInPolicyDto
{
    /// <summary>Name, e.g. <c>AdministratorAccess</c>.</summary>
    public required string Name { get; init; }

    /// <summary>NRN, e.g. <c>nrn:nimbus:iam::nimbus:policy/AdministratorAccess</c>.</summary>
    public required string Nrn { get; init; }

    /// <summary>The document as JSON text.</summary>
    public required string Document { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/policies:simulate</c>.</summary>
public sealed record SimulatePolicyRequest
{
    /// <summary>The user whose policies are evaluated (its own, its groups', managed and inline). Exactly one of this and <see cref="RoleName"/>.</summary>
    public string? UserName { get; init; }

    /// <summary>The role whose policies are evaluated (managed and inline, under its boundary), as a session of it would be.</summary>
    public string? RoleName { get; init; }

    /// <summary>Required. Actions to try, e.g. <c>iam:ListUsers</c>.</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>Optional. Resource NRNs; default <c>*</c>.</summary>
    public IReadOnlyList<string>? Resources { get; init; }

    /// <summary>Optional condition keys and values, e.g. <c>nimbus:SourceIp</c> → <c>["10.0.0.5"]</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Context { get; init; }
}

/// <summary>One decision of a simulation.</summary>
public sealed record SimulationResultDto
{
    /// <summary>The action tried.</summary>
    public required string Action { get; init; }

    /// <summary>The resource tried.</summary>
    public required string Resource { get; init; }

    /// <summary><c>allowed</c>, <c>explicitDeny</c> or <c>implicitDeny</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>Which policy and statement decided; null for an implicit deny.</summary>
    public string? DecidingStatement { get; init; }

    /// <summary>Why, in words.</summary>
    public required string Reason { get; init; }
}

/// <summary>Answer of <c>POST /v1/iam/policies:simulate</c>.</summary>
public sealed record SimulatePolicyResponse
{
    /// <summary>One result per action and resource.</summary>
    public required IReadOnlyList<SimulationResultDto> Results { get; init; }
}
