using Nimbus.Sdk.S3;
using Nimbus.Testing;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>SDK clients pointed at a test server, signed with its admin key.</summary>
internal static class ClientFactory
{
    public static S3Client S3(NimbusServer server, S3PayloadSigning signing = S3PayloadSigning.Signed, long? partSize = null, long? threshold = null) =>
        new(new S3ClientOptions
        {
            Endpoint = server.S3Endpoint,
            Credentials = server.AdminCredentials,
            PayloadSigning = signing,
            PartSize = partSize ?? 8L * 1024 * 1024,
            MultipartThreshold = threshold ?? 16L * 1024 * 1024,
        });
}
