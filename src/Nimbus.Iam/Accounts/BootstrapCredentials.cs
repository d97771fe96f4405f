namespace Nimbus.Iam.Accounts;

/// <summary>Contents of <c>&lt;data-dir&gt;/bootstrap-credentials.json</c> (mode 0600).</summary>
public sealed record BootstrapCredentials
{
    public required string Endpoint { get; init; }

    /// <summary>The S3 protocol endpoint (object storage); empty in files written before it existed.</summary>
    public string S3Endpoint { get; init; } = "";

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string Region { get; init; }

    public string Account { get; init; } = "";

    public string UserName { get; init; } = "";

    public override string ToString() => $"BootstrapCredentials {{ Endpoint = {Endpoint}, AccessKeyId = {AccessKeyId} }}";
}
