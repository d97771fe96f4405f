using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;
using Nimbus.Core.Store;

namespace Nimbus.Core.Api;

/// <summary>
/// <c>Idempotency-Key</c> on creates: the first answer to a key is stored for 24 hours; the
/// same key with the same request replays it, with a different request it is a 409
/// <c>IdempotencyKeyReused</c>. Keys are scoped to the calling principal.
/// </summary>
public sealed class IdempotencyFilter(IResourceStore store, TimeProvider time) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    private const string Namespace = "idempotency";
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // Serializes concurrent requests with the same key inside this process, so the second
    // waits for the first answer instead of creating twice.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[HeaderName].ToString();
        if (key.Length == 0)
        {
            return await next(context).ConfigureAwait(false);
        }

        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            throw NimbusException.Invalid(HeaderName, "must be 1 to 255 visible ASCII characters");
        }

        var caller = http.Caller();
        var storeKey = caller.Principal + "\n" + key;
        var fingerprint = Fingerprint(http);
        var gate = Gates.GetOrAdd(storeKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        try
        {
            var existing = await store.GetValueAsync(Namespace, storeKey, http.RequestAborted).ConfigureAwait(false);
            if (existing is not null)
            {
                var record = JsonSerializer.Deserialize<IdempotencyRecord>(existing, NimbusJson.Options)!;
                if (time.GetUtcNow() - record.At < Retention)
                {
                    if (record.Fingerprint != fingerprint)
                    {
                        throw new NimbusException(ErrorCodes.IdempotencyKeyReused, 409, "This Idempotency-Key was already used with a different request.");
                    }

                    http.Response.Headers["Idempotent-Replayed"] = "true";
                    if (record.Location is not null)
                    {
                        http.Response.Headers.Location = record.Location;
                    }

                    return Results.Text(record.Body, "application/json", Encoding.UTF8, record.Status);
                }
            }

            var result = await next(context).ConfigureAwait(false);
            if (result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } statusResult and IValueHttpResult valueResult)
            {
                var record = new IdempotencyRecord(
                    fingerprint,
                    statusResult.StatusCode ?? 200,
                    JsonSerializer.Serialize(valueResult.Value, NimbusJson.Options),
                    LocationOf(result),
                    time.GetUtcNow());
                var bytes = JsonSerializer.SerializeToUtf8Bytes(record, NimbusJson.Options);
                await store.WriteAsync<bool>(
                    async (w, ct) =>
                    {
                        await w.PutValueAsync(Namespace, storeKey, bytes, ct).ConfigureAwait(false);
                        return true;
                    },
                    CancellationToken.None).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            gate.Release();
            if (gate.CurrentCount == 1)
            {
                Gates.TryRemove(new KeyValuePair<string, SemaphoreSlim>(storeKey, gate));
            }
        }
    }

    private static string? LocationOf(object? result) =>
        result?.GetType().GetProperty("Location")?.GetValue(result) as string;

    private static string Fingerprint(HttpContext http)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(http.Request.Method + " " + http.Request.Path + "\n"));
        hash.AppendData(http.BufferedBody().Span);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed record IdempotencyRecord(string Fingerprint, int Status, string Body, string? Location, DateTimeOffset At);
}
