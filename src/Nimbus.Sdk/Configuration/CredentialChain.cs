using System.Collections;
using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.Configuration;

/// <summary>
/// Resolves endpoint, region and credentials the way the CLI does, first match wins:
/// explicit values → environment variables → the profile's sections in <c>~/.nimbus/credentials</c> and
/// <c>~/.nimbus/config</c> → defaults (<c>http://127.0.0.1:7070</c>, region <c>local</c>).
/// </summary>
public sealed class CredentialChain
{
    /// <summary>Environment variable holding the access key id.</summary>
    public const string AccessKeyIdVariable = "NIMBUS_ACCESS_KEY_ID";

    /// <summary>Environment variable holding the secret access key.</summary>
    public const string SecretAccessKeyVariable = "NIMBUS_SECRET_ACCESS_KEY";

    /// <summary>Environment variable holding the session token (optional, temporary credentials only).</summary>
    public const string SessionTokenVariable = "NIMBUS_SESSION_TOKEN";

    /// <summary>Environment variable holding the endpoint.</summary>
    public const string EndpointVariable = "NIMBUS_ENDPOINT";

    /// <summary>Environment variable holding the S3 endpoint of object storage.</summary>
    public const string S3EndpointVariable = "NIMBUS_S3_ENDPOINT";

    /// <summary>Environment variable holding the region.</summary>
    public const string RegionVariable = "NIMBUS_REGION";

    /// <summary>Environment variable holding the CLI output format.</summary>
    public const string OutputVariable = "NIMBUS_OUTPUT";

    /// <summary>Environment variable naming the profile to use.</summary>
    public const string ProfileVariable = "NIMBUS_PROFILE";

    /// <summary>Environment variable replacing the configuration directory <c>~/.nimbus</c>.</summary>
    public const string ConfigDirectoryVariable = "NIMBUS_CONFIG_DIR";

    private readonly IReadOnlyDictionary<string, string> _environment;

    /// <summary>Creates a chain over a set of environment variables.</summary>
    /// <param name="environment">Optional. Variables to read; default the process environment (snapshot taken now).</param>
    public CredentialChain(IReadOnlyDictionary<string, string>? environment = null)
    {
        _environment = environment ?? ProcessEnvironment();
        Profiles = new ProfileStore(ResolveConfigDirectory(_environment));
    }

    /// <summary>The profile files: in <c>NIMBUS_CONFIG_DIR</c> if set, else <c>$HOME/.nimbus</c>.</summary>
    public ProfileStore Profiles { get; }

    /// <summary>Resolves every setting.</summary>
    /// <param name="overrides">Optional. Explicit values that win over everything else.</param>
    /// <returns>The settings; <see cref="NimbusSettings.Credentials"/> is null if no source had credentials.</returns>
    /// <exception cref="NimbusConfigurationException">
    /// A profile was named explicitly but exists in neither file, the endpoint is not an absolute http(s) URI,
    /// only one of the access key id and secret is set in the environment, or a file cannot be parsed.
    /// </exception>
    public NimbusSettings Resolve(SettingsOverrides? overrides = null)
    {
        overrides ??= new SettingsOverrides();
        var explicitProfile = overrides.Profile ?? Variable(ProfileVariable);
        var profileName = explicitProfile ?? NimbusProfile.DefaultName;
        var profile = Profiles.Read(profileName);
        if (profile is null && explicitProfile is not null)
        {
            throw new NimbusConfigurationException(
                $"Profile '{profileName}' is not in {Profiles.CredentialsPath} or {Profiles.ConfigPath}: run `nimbus configure --profile {profileName}`.");
        }

        var (credentials, source) = ResolveCredentials(overrides, profile);
        var endpointText = overrides.Endpoint ?? Variable(EndpointVariable) ?? profile?.Endpoint ?? NimbusClientOptions.DefaultEndpoint;
        var endpoint = ParseEndpoint(endpointText);
        var s3EndpointText = overrides.S3Endpoint ?? Variable(S3EndpointVariable) ?? profile?.S3Endpoint;
        return new NimbusSettings
        {
            ProfileName = profileName,
            Endpoint = endpoint,
            S3Endpoint = s3EndpointText is null ? DefaultS3Endpoint(endpoint) : ParseEndpoint(s3EndpointText),
            Region = overrides.Region ?? Variable(RegionVariable) ?? profile?.Region ?? NimbusClientOptions.DefaultRegion,
            Output = overrides.Output ?? Variable(OutputVariable) ?? profile?.Output,
            Credentials = credentials,
            CredentialsSource = source,
        };
    }

    /// <summary>Parses an endpoint the way <see cref="Resolve"/> does.</summary>
    /// <param name="text">Required. Absolute http or https URI.</param>
    /// <returns>The URI.</returns>
    /// <exception cref="NimbusConfigurationException">Not an absolute http(s) URI.</exception>
    public static Uri ParseEndpoint(string text)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        throw new NimbusConfigurationException($"Endpoint '{text}' is not an absolute http:// or https:// URI, e.g. {NimbusClientOptions.DefaultEndpoint}.");
    }

    /// <summary>
    /// The S3 endpoint when none is configured: the API endpoint's scheme and host on the server's default S3 port
    /// (<see cref="S3.S3ClientOptions.DefaultPort"/>), as <c>./nimbus up</c> listens.
    /// </summary>
    /// <param name="apiEndpoint">Required. The API endpoint.</param>
    /// <returns>The S3 endpoint.</returns>
    public static Uri DefaultS3Endpoint(Uri apiEndpoint)
    {
        ArgumentNullException.ThrowIfNull(apiEndpoint);
        return new UriBuilder(apiEndpoint.Scheme, apiEndpoint.Host, S3.S3ClientOptions.DefaultPort).Uri;
    }

    private (SigV4Credentials? Credentials, string Source) ResolveCredentials(SettingsOverrides overrides, NimbusProfile? profile)
    {
        if (overrides.Credentials is not null)
        {
            return (overrides.Credentials, "explicit");
        }

        var id = Variable(AccessKeyIdVariable);
        var secret = Variable(SecretAccessKeyVariable);
        if (id is not null && secret is not null)
        {
            return (new SigV4Credentials(id, secret, Variable(SessionTokenVariable)), "environment");
        }

        if (id is not null || secret is not null)
        {
            throw new NimbusConfigurationException(
                $"Only one of {AccessKeyIdVariable} and {SecretAccessKeyVariable} is set; set both, or neither to use a profile.");
        }

        if (profile?.AccessKeyId is { } profileId && profile.SecretAccessKey is { } profileSecret)
        {
            return (new SigV4Credentials(profileId, profileSecret, profile.SessionToken), $"profile {profile.Name} ({Profiles.CredentialsPath})");
        }

        return (null, "none");
    }

    private string? Variable(string name) =>
        _environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string ResolveConfigDirectory(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.TryGetValue(ConfigDirectoryVariable, out var configured) && !string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var home = environment.TryGetValue("HOME", out var h) && !string.IsNullOrWhiteSpace(h)
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".nimbus");
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return variables;
    }
}
