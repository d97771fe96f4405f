using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Nimbus.Server.Hosting;

/// <summary>Titles the OpenAPI document and describes how requests authenticate.</summary>
public sealed class OpenApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Nimbus API",
            Version = "v1",
            Description = "Every /v1 request is signed with AWS Signature Version 4 (service 'nimbus', region 'local' by default). "
                + "Errors are RFC 9457 application/problem+json bodies with a stable 'code'. See docs/api.md.",
        };
        return Task.CompletedTask;
    }
}
