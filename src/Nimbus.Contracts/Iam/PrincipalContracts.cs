namespace Nimbus.Contracts.Iam;

/// <summary>Desired state of a user (the <c>spec</c> of an <c>iam/user</c> resource).</summary>
public sealed record UserSpec
{
    /// <summary>Path for grouping users, e.g. <c>/engineering/</c>; starts and ends with '/'; default <c>/</c>.</summary>
    public string? Path { get; init; }

    /// <summary>True when the user has a console password. The password itself is never returned.</summary>
    public bool? ConsoleAccess { get; init; }

    /// <summary>True for an account's root user (<c>root</c>, or <c>admin</c> of the platform account): allowed everything in its account, never deletable.</summary>
    public bool? Root { get; init; }

    /// <summary>Attached managed policies: built-in names or policy ids.</summary>
    public IReadOnlyList<string>? AttachedPolicies { get; init; }

    /// <summary>Permissions boundary (built-in name or policy id): the most the user's policies can grant.</summary>
    public string? PermissionsBoundary { get; init; }

    /// <summary>Inline policies: name → document (JSON text), at most 10.</summary>
    public IReadOnlyDictionary<string, string>? InlinePolicies { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/users</c>.</summary>
public sealed record CreateUserRequest
{
    /// <summary>Required. 1 to 64 characters of letters, digits and <c>+=,.@_-</c>; unique in the account.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Default <c>/</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Optional tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Optional console password; must satisfy the account's password policy. Stored only as a PBKDF2 hash.</summary>
    public string? Password { get; init; }
}

/// <summary>Body of <c>PUT /v1/iam/users/{id}</c>.</summary>
public sealed record UpdateUserRequest
{
    /// <summary>Required. The version you read.</summary>
    public long Version { get; init; }

    /// <summary>Optional new path; null keeps it.</summary>
    public string? Path { get; init; }

    /// <summary>Optional new tags; null keeps them.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/users/{id}:set-password</c>.</summary>
public sealed record SetPasswordRequest
{
    /// <summary>Required. The new console password; must satisfy the password policy and not repeat a recent one.</summary>
    public string? Password { get; init; }
}

/// <summary>Desired state of a group (the <c>spec</c> of an <c>iam/group</c> resource).</summary>
public sealed record GroupSpec
{
    /// <summary>Path, default <c>/</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Ids of the member users.</summary>
    public IReadOnlyList<string>? Members { get; init; }

    /// <summary>Attached managed policies: built-in names or policy ids.</summary>
    public IReadOnlyList<string>? AttachedPolicies { get; init; }

    /// <summary>Inline policies: name → document (JSON text), at most 10; they apply to every member.</summary>
    public IReadOnlyDictionary<string, string>? InlinePolicies { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/groups</c>.</summary>
public sealed record CreateGroupRequest
{
    /// <summary>Required. 1 to 128 characters of letters, digits and <c>+=,.@_-</c>; unique in the account.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Default <c>/</c>.</summary>
    public string? Path { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/groups/{id}:add-user</c> and <c>:remove-user</c>.</summary>
public sealed record GroupMemberRequest
{
    /// <summary>Required. Name of the user in the group's account.</summary>
    public string? UserName { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/accounts</c> (platform administrators only).</summary>
public sealed record CreateAccountRequest
{
    /// <summary>Required. 1 to 64 characters; unique on the platform.</summary>
    public string? Name { get; init; }
}

/// <summary>Answer of <c>POST /v1/iam/accounts</c>: the account and its root user's first access key.</summary>
public sealed record CreateAccountResponse
{
    /// <summary>The new account (an <c>iam/account</c> resource; its id is the 12-digit account id).</summary>
    public required Resources.ResourceDto Account { get; init; }

    /// <summary>The root user's access key; its secret is shown only here.</summary>
    public required CreateAccessKeyResponse RootAccessKey { get; init; }
}
