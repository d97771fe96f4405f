namespace Nimbus.Sdk.Configuration;

/// <summary>
/// One named profile: settings from <c>~/.nimbus/config</c> and secrets from <c>~/.nimbus/credentials</c>.
/// Every value is optional; a missing one falls through to the next source of the <see cref="CredentialChain"/>.
/// </summary>
public sealed record NimbusProfile
{
    /// <summary>Name of the default profile: <c>default</c>.</summary>
    public const string DefaultName = "default";

    /// <summary>Required. Profile name, e.g. <c>default</c> or <c>dev</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Optional. API endpoint, e.g. <c>http://127.0.0.1:7070</c> (config key <c>endpoint</c>).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Optional. S3 endpoint of object storage, e.g. <c>http://127.0.0.1:9000</c> (config key <c>s3_endpoint</c>).</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>Optional. Region, e.g. <c>local</c> (config key <c>region</c>).</summary>
    public string? Region { get; init; }

    /// <summary>Optional. CLI output format: <c>table</c>, <c>json</c> or <c>yaml</c> (config key <c>output</c>).</summary>
    public string? Output { get; init; }

    /// <summary>Optional. Access key id (credentials key <c>access_key_id</c>).</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Optional. Secret access key (credentials key <c>secret_access_key</c>).</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Optional. Session token of temporary credentials (credentials key <c>session_token</c>).</summary>
    public string? SessionToken { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"NimbusProfile {{ Name = {Name}, Endpoint = {Endpoint}, S3Endpoint = {S3Endpoint}, Region = {Region}, AccessKeyId = {AccessKeyId} }}";
}
