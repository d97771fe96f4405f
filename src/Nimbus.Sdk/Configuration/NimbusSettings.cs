using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.Configuration;

/// <summary>The outcome of <see cref="CredentialChain.Resolve"/>: every setting with where it came from.</summary>
public sealed record NimbusSettings
{
    /// <summary>Profile that was read (whether or not it existed).</summary>
    public required string ProfileName { get; init; }

    /// <summary>API endpoint; <see cref="NimbusClientOptions.DefaultEndpoint"/> when nothing set one.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>S3 endpoint of object storage; the API endpoint's host on port 9000 when nothing set one.</summary>
    public Uri? S3Endpoint { get; init; }

    /// <summary>Region; <see cref="NimbusClientOptions.DefaultRegion"/> when nothing set one.</summary>
    public required string Region { get; init; }

    /// <summary>CLI output format; null when nothing set one.</summary>
    public string? Output { get; init; }

    /// <summary>Credentials; null when no source had any.</summary>
    public SigV4Credentials? Credentials { get; init; }

    /// <summary>Where the credentials came from: <c>explicit</c>, <c>environment</c>, <c>profile NAME (PATH)</c> or <c>none</c>.</summary>
    public required string CredentialsSource { get; init; }

    /// <summary>Builds client options from these settings.</summary>
    /// <returns>Options with endpoint, region and credentials set, other values default.</returns>
    /// <exception cref="NimbusConfigurationException">No credentials were found.</exception>
    public NimbusClientOptions ToClientOptions()
    {
        if (Credentials is null)
        {
            throw new NimbusConfigurationException(
                $"No credentials found for profile '{ProfileName}': run `nimbus configure`, or set {CredentialChain.AccessKeyIdVariable} and {CredentialChain.SecretAccessKeyVariable}.");
        }

        return new NimbusClientOptions { Endpoint = Endpoint, Region = Region, Credentials = Credentials };
    }

    /// <summary>Builds S3 client options from these settings.</summary>
    /// <returns>Options with the S3 endpoint, region and credentials set, other values default.</returns>
    /// <exception cref="NimbusConfigurationException">No credentials were found.</exception>
    public S3.S3ClientOptions ToS3ClientOptions()
    {
        var api = ToClientOptions();
        return new S3.S3ClientOptions
        {
            Endpoint = S3Endpoint ?? CredentialChain.DefaultS3Endpoint(Endpoint),
            Region = api.Region,
            Credentials = api.Credentials,
        };
    }
}
