using Nimbus.Contracts.Signing;

namespace Nimbus.Testing;

/// <summary>Signs every request with SigV4 (the way any AWS-style client does) for raw-HTTP tests.</summary>
public sealed class SigningHandler(SigV4Credentials credentials, string region = "local", string service = "nimbus", Func<DateTimeOffset>? clock = null)
    : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        SigV4Signer.Sign(request, credentials, region, service, clock?.Invoke() ?? DateTimeOffset.UtcNow, SigV4Signer.HashPayload(body));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
