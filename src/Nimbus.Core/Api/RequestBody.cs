using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Api;

/// <summary>The buffered request body, kept by authentication (which hashes it) for later steps such as idempotency.</summary>
public static class RequestBody
{
    private static readonly object BodyKey = new();

    public static void SetBufferedBody(this HttpContext context, ReadOnlyMemory<byte> body) => context.Items[BodyKey] = body;

    public static ReadOnlyMemory<byte> BufferedBody(this HttpContext context) =>
        context.Items.TryGetValue(BodyKey, out var value) && value is ReadOnlyMemory<byte> body ? body : ReadOnlyMemory<byte>.Empty;
}
