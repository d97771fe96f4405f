namespace Nimbus.Iam.Authentication;

/// <summary>Scope that API requests must be signed for.</summary>
public sealed record SigV4AuthenticationOptions
{
    /// <summary>SigV4 service name; <c>nimbus</c>.</summary>
    public string Service { get; init; } = "nimbus";

    /// <summary>Region of this installation; <c>local</c> by default.</summary>
    public string Region { get; init; } = "local";

    /// <summary>Largest clock difference accepted; 15 minutes as in AWS.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(15);
}
