namespace Nimbus.Contracts.Iam;

/// <summary>Body of <c>POST /v1/sts/sessions:login</c> (web console sign-in).</summary>
public sealed record ConsoleLoginRequest
{
    /// <summary>Required. Account id (12 digits) or account name.</summary>
    public string? Account { get; init; }

    /// <summary>Required. User name.</summary>
    public string? UserName { get; init; }

    /// <summary>Required. The user's console password.</summary>
    public string? Password { get; init; }

    /// <summary>Required when the user has an enabled MFA device: its current code.</summary>
    public string? MfaCode { get; init; }
}

/// <summary>Answer of a successful sign-in; the session itself travels in an HttpOnly cookie.</summary>
public sealed record ConsoleSessionDto
{
    /// <summary>NRN of the signed-in user.</summary>
    public required string Principal { get; init; }

    /// <summary>Account id.</summary>
    public required string Account { get; init; }

    /// <summary>When the session ends (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Send this as <c>X-CSRF-Token</c> with every state-changing request made with the cookie.</summary>
    public required string CsrfToken { get; init; }
}
