using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>The least AWSSDK.Core client configuration its signers need.</summary>
internal sealed class AwsSdkClientConfig : ClientConfig
{
    public AwsSdkClientConfig(string region, string service)
        : base(new DefaultConfigurationProvider([new DefaultConfiguration { Name = DefaultConfigurationMode.Standard }]))
    {
        ServiceURL = "http://localhost:8080/";
        AuthenticationRegion = region;
        AuthenticationServiceName = service;
    }

    public override string ServiceVersion => "2025-01-01";

    public override string UserAgent => "nimbus-tests";

    public override string RegionEndpointServiceName => "nimbus";

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) =>
        throw new NotSupportedException("The tests set ServiceURL.");
}
