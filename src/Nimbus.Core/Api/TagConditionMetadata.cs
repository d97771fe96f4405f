namespace Nimbus.Core.Api;

/// <summary>
/// Endpoint metadata: the endpoint acts on an existing resource, the one whose id is the route value
/// <paramref name="RouteKey"/>, so policies may test its tags (<c>nimbus:ResourceTag/k</c>). The pipeline
/// reads the resource only when a policy of the caller tests resource tags.
/// </summary>
public sealed record ResourceTagsMetadata(string RouteKey);

/// <summary>
/// Endpoint metadata: the request sets the tags in its JSON body's top-level <c>tags</c> object, so policies
/// may test them (<c>nimbus:RequestTag/k</c>, <c>nimbus:TagKeys</c>).
/// </summary>
public sealed record RequestTagsMetadata;
