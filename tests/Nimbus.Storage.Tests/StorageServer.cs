using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Testing;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>A real server for a test class, with AWS SDK clients pointed at its S3 port.</summary>
public sealed class StorageServer : IAsyncLifetime
{
    private NimbusServer? _server;

    public NimbusServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    public async Task InitializeAsync() => _server = await NimbusServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>An AWSSDK.S3 client at default settings (checksums, chunked uploads), path style, signed with the admin key unless told otherwise.</summary>
    public AmazonS3Client Client(string? accessKeyId = null, string? secret = null, bool pathStyle = true) =>
        CreateClient(Server, accessKeyId, secret, pathStyle);

    public static AmazonS3Client CreateClient(NimbusServer server, string? accessKeyId = null, string? secret = null, bool pathStyle = true)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = server.S3Endpoint.ToString(),
            ForcePathStyle = pathStyle,
            AuthenticationRegion = "local",
        };
        var client = new AmazonS3Client(new BasicAWSCredentials(accessKeyId ?? server.Admin.AccessKeyId, secret ?? server.Admin.SecretAccessKey), config);
        return client;
    }

    public static string NewBucketName() => "b-" + Guid.NewGuid().ToString("N")[..20];
}
