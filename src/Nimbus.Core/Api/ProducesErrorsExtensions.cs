using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Errors;

namespace Nimbus.Core.Api;

public static class ProducesErrorsExtensions
{
    /// <summary>Documents that the endpoint can answer <paramref name="status"/> with a <see cref="ProblemDto"/>.</summary>
    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, int status)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDto), [ProblemWriter.ContentType]));
        return builder;
    }
}
