using System.Net.Http.Headers;
using Nimbus.Contracts.Signing;

namespace Nimbus.Cli.Tests.Fakes;

/// <summary>A request as the handler saw it, copied before the SDK disposes it.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, HttpRequestHeaders Headers, string? ContentType, byte[] Body, SigV4Request AsReceived)
{
    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
