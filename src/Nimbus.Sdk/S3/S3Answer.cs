namespace Nimbus.Sdk.S3;

/// <summary>A successful answer, its body unread, and the MD5 of the body that was sent (null when none was).</summary>
internal sealed record S3Answer(HttpResponseMessage Response, string? SentMd5) : IDisposable
{
    public void Dispose() => Response.Dispose();
}
