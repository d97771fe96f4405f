using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.Configuration;

/// <summary>Explicit values (command-line flags, code) that win over the environment and the profile files.</summary>
public sealed record SettingsOverrides
{
    /// <summary>Optional. Profile to read; default <c>NIMBUS_PROFILE</c>, else <c>default</c>.</summary>
    public string? Profile { get; init; }

    /// <summary>Optional. API endpoint.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Optional. S3 endpoint of object storage.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>Optional. Region.</summary>
    public string? Region { get; init; }

    /// <summary>Optional. CLI output format.</summary>
    public string? Output { get; init; }

    /// <summary>Optional. Credentials.</summary>
    public SigV4Credentials? Credentials { get; init; }
}
