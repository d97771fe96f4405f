namespace Nimbus.Sdk;

/// <summary>Per-request settings of <see cref="NimbusClient.SendAsync(HttpMethod, string, object?, NimbusRequestOptions?, CancellationToken)"/>.</summary>
public sealed record NimbusRequestOptions
{
    /// <summary>
    /// Optional. Value of the <c>Idempotency-Key</c> header; none by default. A POST carrying one is retried
    /// like an idempotent request, because the server answers a replay with the first answer.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Optional. Extra request headers; none by default. They are set before signing.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Returns options carrying a fresh random idempotency key (32 hex characters).</summary>
    /// <returns>New options with <see cref="IdempotencyKey"/> set.</returns>
    public static NimbusRequestOptions WithNewIdempotencyKey() => new() { IdempotencyKey = Guid.NewGuid().ToString("N") };
}
