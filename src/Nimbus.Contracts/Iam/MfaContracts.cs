namespace Nimbus.Contracts.Iam;

/// <summary>A user's virtual MFA device (TOTP, RFC 6238).</summary>
public sealed record MfaDeviceDto
{
    /// <summary>Serial number (an NRN) naming the device.</summary>
    public required string SerialNumber { get; init; }

    /// <summary>The user the device belongs to.</summary>
    public required string UserName { get; init; }

    /// <summary>True once enabled with two consecutive codes.</summary>
    public bool Enabled { get; init; }

    /// <summary>When it was enabled (UTC); null while pending.</summary>
    public DateTimeOffset? EnabledAt { get; init; }
}

/// <summary>Answer of creating a virtual MFA device: the secret, shown only this once.</summary>
public sealed record CreateMfaDeviceResponse
{
    /// <summary>The device (not yet enabled).</summary>
    public required MfaDeviceDto Device { get; init; }

    /// <summary>The TOTP secret, base32, for typing into an authenticator app.</summary>
    public required string Base32Secret { get; init; }

    /// <summary><c>otpauth://</c> URI for a QR code.</summary>
    public required string ProvisioningUri { get; init; }
}

/// <summary>Body of <c>POST /v1/iam/users/{id}/mfa-device:enable</c>.</summary>
public sealed record EnableMfaDeviceRequest
{
    /// <summary>Required. A code from the app.</summary>
    public string? Code1 { get; init; }

    /// <summary>Required. The next code the app shows after <see cref="Code1"/>.</summary>
    public string? Code2 { get; init; }
}

/// <summary>Body of <c>POST /v1/sts/session-token</c>.</summary>
public sealed record GetSessionTokenRequest
{
    /// <summary>Optional. 900 to 43200 seconds; default 3600.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>Optional. The current code of the caller's MFA device; with it the session counts as MFA-authenticated (<c>nimbus:MultiFactorAuthPresent</c>).</summary>
    public string? MfaCode { get; init; }
}
