using Amazon.Runtime;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>An empty AWSSDK request model; the tests describe the HTTP request on <c>DefaultRequest</c>.</summary>
internal sealed class AwsSdkServiceRequest : AmazonWebServiceRequest
{
}
