namespace Nimbus.Sdk.Configuration;

/// <summary>
/// Reads and writes profiles in a configuration directory (default <c>~/.nimbus</c>): <c>credentials</c> holds
/// <c>[NAME]</c> sections with secrets, <c>config</c> holds <c>[default]</c> / <c>[profile NAME]</c> sections with settings.
/// Both files are written with mode 0600 in a 0700 directory.
/// </summary>
public sealed class ProfileStore
{
    private const string ProfilePrefix = "profile ";

    /// <summary>Creates a store over a directory; nothing is read or created until used.</summary>
    /// <param name="directory">Required. The configuration directory.</param>
    public ProfileStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The configuration directory.</summary>
    public string Directory { get; }

    /// <summary>Path of the credentials file: <c>&lt;directory&gt;/credentials</c>.</summary>
    public string CredentialsPath => Path.Combine(Directory, "credentials");

    /// <summary>Path of the config file: <c>&lt;directory&gt;/config</c>.</summary>
    public string ConfigPath => Path.Combine(Directory, "config");

    /// <summary>Reads a profile from both files.</summary>
    /// <param name="name">Required. Profile name.</param>
    /// <returns>The profile, or null when neither file has a section for it.</returns>
    /// <exception cref="NimbusConfigurationException">A file exists but cannot be read or parsed.</exception>
    public NimbusProfile? Read(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var credentials = Load(CredentialsPath).FindSection(name);
        var config = FindConfigSection(Load(ConfigPath), name);
        if (credentials is null && config is null)
        {
            return null;
        }

        return new NimbusProfile
        {
            Name = name,
            Endpoint = config?.Get("endpoint"),
            S3Endpoint = config?.Get("s3_endpoint"),
            Region = config?.Get("region"),
            Output = config?.Get("output"),
            AccessKeyId = credentials?.Get("access_key_id"),
            SecretAccessKey = credentials?.Get("secret_access_key"),
            SessionToken = credentials?.Get("session_token"),
        };
    }

    /// <summary>Lists the names of the profiles found in either file, config file order first.</summary>
    /// <returns>Distinct profile names.</returns>
    public IReadOnlyList<string> ListNames()
    {
        var names = Load(ConfigPath).Sections.Select(s => ProfileNameOf(s.Name))
            .Concat(Load(CredentialsPath).Sections.Select(s => s.Name));
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Writes a profile, replacing its sections in both files and keeping every other profile.
    /// Null values are left out of the files.
    /// </summary>
    /// <param name="profile">Required. The profile to write.</param>
    /// <exception cref="NimbusConfigurationException">An existing file cannot be parsed.</exception>
    public void Write(NimbusProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentException.ThrowIfNullOrEmpty(profile.Name);

        var credentials = Load(CredentialsPath);
        if (profile.AccessKeyId is not null || profile.SecretAccessKey is not null || profile.SessionToken is not null)
        {
            var section = credentials.ReplaceSection(profile.Name, profile.Name);
            section.Set("access_key_id", profile.AccessKeyId);
            section.Set("secret_access_key", profile.SecretAccessKey);
            section.Set("session_token", profile.SessionToken);
        }
        else
        {
            credentials.RemoveSection(profile.Name);
        }

        var config = Load(ConfigPath);
        if (profile.Endpoint is not null || profile.S3Endpoint is not null || profile.Region is not null || profile.Output is not null)
        {
            var section = config.ReplaceSection(ConfigSectionName(profile.Name), profile.Name, ProfilePrefix + profile.Name);
            section.Set("endpoint", profile.Endpoint);
            section.Set("s3_endpoint", profile.S3Endpoint);
            section.Set("region", profile.Region);
            section.Set("output", profile.Output);
        }
        else
        {
            config.RemoveSection(profile.Name, ProfilePrefix + profile.Name);
        }

        SecureFile.WriteAllText(CredentialsPath, credentials.ToString());
        SecureFile.WriteAllText(ConfigPath, config.ToString());
    }

    // The AWS CLI's convention: "[default]" but "[profile dev]" in config; plain "[dev]" is accepted when reading.
    private static string ConfigSectionName(string name) =>
        string.Equals(name, NimbusProfile.DefaultName, StringComparison.OrdinalIgnoreCase) ? name : ProfilePrefix + name;

    private static IniSection? FindConfigSection(IniDocument config, string name) =>
        config.FindSection(ConfigSectionName(name)) ?? config.FindSection(name);

    private static string ProfileNameOf(string sectionName) =>
        sectionName.StartsWith(ProfilePrefix, StringComparison.OrdinalIgnoreCase) ? sectionName[ProfilePrefix.Length..].Trim() : sectionName;

    private static IniDocument Load(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return new IniDocument();
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NimbusConfigurationException($"Cannot read {path}: {ex.Message}", ex);
        }

        return IniDocument.Parse(text.Replace("\r", "", StringComparison.Ordinal), path);
    }
}
