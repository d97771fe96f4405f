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

    /// <summary>Serves the endpoint without authentication.</summary>
    public static TBuilder Anonymous<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AnonymousEndpointMetadata());
        return builder;
    }
}
