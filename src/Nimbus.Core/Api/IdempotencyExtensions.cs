using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Api;

public static class IdempotencyExtensions
{
    /// <summary>Honours the <c>Idempotency-Key</c> header on this (create) endpoint.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<IdempotencyFilter>();
}
