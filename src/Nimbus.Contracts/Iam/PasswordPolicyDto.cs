namespace Nimbus.Contracts.Iam;

/// <summary>An account's console password policy (<c>GET|PUT /v1/iam/password-policy</c>).</summary>
public sealed record PasswordPolicyDto
{
    /// <summary>Minimum length, 8 to 128; default 12.</summary>
    public int MinimumLength { get; init; } = 12;

    /// <summary>Require an uppercase letter; default true.</summary>
    public bool RequireUppercase { get; init; } = true;

    /// <summary>Require a lowercase letter; default true.</summary>
    public bool RequireLowercase { get; init; } = true;

    /// <summary>Require a digit; default true.</summary>
    public bool RequireDigits { get; init; } = true;

    /// <summary>Require a symbol; default false.</summary>
    public bool RequireSymbols { get; init; }

    /// <summary>How many previous passwords may not be reused, 0 to 24; default 5.</summary>
    public int PreventReuse { get; init; } = 5;

    /// <summary>Days after which the password must be changed before signing in again, 0 (never, default) to 1095.</summary>
    public int MaxAgeDays { get; init; }
}
