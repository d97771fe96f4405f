using System.Net;
using System.Net.Http.Headers;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>
/// A JSON body that is sent only once its release task completes. With <c>Expect: 100-continue</c> the
/// client asks for it only after the server's "100 Continue", which Kestrel sends when the application starts
/// reading the body: <see cref="BodyRequested"/> then proves the request is inside the server's pipeline.
/// </summary>
internal sealed class GatedContent : HttpContent
{
    private readonly byte[] _body;
    private readonly Task _release;
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedContent(byte[] body, Task release)
    {
        _body = body;
        _release = release;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    public Task BodyRequested => _requested.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        _requested.TrySetResult();
        await _release;
        await stream.WriteAsync(_body);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
