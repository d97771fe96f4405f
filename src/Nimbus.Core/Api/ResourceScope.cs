using Microsoft.AspNetCore.Http;
using Nimbus.Core.Resources;

namespace Nimbus.Core.Api;

/// <summary>Builders for <see cref="ActionMetadata.Resources"/>: which NRNs a request acts on.</summary>
public static class ResourceScope
{
    /// <summary>Every resource of <paramref name="kind"/> in the caller's account (list and create).</summary>
    public static Func<HttpContext, CallerContext, IReadOnlyList<string>> Collection(string kind, string region) =>
        (_, caller) => [Nrn.Format(kind, region, caller.Account, "*")];

    /// <summary>The resource whose id is the route value <paramref name="routeKey"/>, in the caller's account.</summary>
    public static Func<HttpContext, CallerContext, IReadOnlyList<string>> Item(string kind, string region, string routeKey = "id") =>
        (http, caller) => [Nrn.Format(kind, region, caller.Account, http.Request.RouteValues[routeKey]?.ToString() ?? "*")];

    /// <summary>No resource (e.g. caller identity).</summary>
    public static Func<HttpContext, CallerContext, IReadOnlyList<string>> None { get; } = (_, _) => ["*"];
}
