using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Api;

/// <summary>
/// Endpoint metadata naming the IAM action an endpoint performs (<c>service:Verb</c>) and how
/// to compute the NRNs it acts on from the request. The authorization step reads it for every
/// request; an endpoint without it (and without <see cref="AnonymousEndpointMetadata"/>) is denied.
/// </summary>
public sealed record ActionMetadata(string Action, Func<HttpContext, CallerContext, IReadOnlyList<string>> Resources);

/// <summary>Marks an endpoint that is served without authentication (health, metrics, documents).</summary>
public sealed record AnonymousEndpointMetadata;
