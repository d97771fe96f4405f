using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Api;

public static class EndpointConventionExtensions
{
    /// <summary>Declares the IAM action of an endpoint and the NRNs it acts on.</summary>
    public static TBuilder RequiresAction<TBuilder>(this TBuilder builder, string action, Func<HttpContext, CallerContext, IReadOnlyList<string>> resources)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new ActionMetadata(action, resources));
        return builder;
    }

    /// <summary>
    /// Lets policies test the tags of the resource the endpoint acts on (<c>nimbus:ResourceTag/k</c>): the one
    /// whose id is the route value <paramref name="routeKey"/>, in the caller's account.
    /// </summary>
    public static TBuilder WithResourceTags<TBuilder>(this TBuilder builder, string routeKey = "id")
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new ResourceTagsMetadata(routeKey));
        return builder;
    }

    /// <summary>Lets policies test the tags the request sets, the body's <c>tags</c> (<c>nimbus:RequestTag/k</c>, <c>nimbus:TagKeys</c>).</summary>
    public static TBuilder WithRequestTags<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequestTagsMetadata());
        return builder;
    }

    /// <summary>Serves the endpoint without authentication.</summary>
    public static TBuilder Anonymous<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AnonymousEndpointMetadata());
        return builder;
    }

    /// <summary>Streams the body to the handler (not buffered), up to <paramref name="maxBytes"/>, verified against its signed SHA-256.</summary>
    public static TBuilder AcceptsStreamedBody<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new StreamedBodyMetadata(maxBytes));
        return builder;
    }
}
