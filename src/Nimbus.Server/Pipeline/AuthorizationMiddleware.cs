using Microsoft.AspNetCore.Routing;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Store;

namespace Nimbus.Server.Pipeline;

/// <summary>
/// Authorization, after authentication and before any handler: reads the endpoint's
/// <see cref="ActionMetadata"/> and asks the <see cref="IAuthorizer"/>. An endpoint that declares
/// no action is denied (fail closed), so a forgotten declaration is a 403, not a hole.
/// </summary>
/// <remarks>
/// Endpoints that declare <see cref="ResourceTagsMetadata"/> or <see cref="RequestTagsMetadata"/> are asked in the
/// full form, with loaders the authorizer calls only when a policy tests tags; every other endpoint takes the
/// plain form, so tag support costs the common request nothing.
/// </remarks>
public sealed partial class AuthorizationMiddleware(RequestDelegate next, IAuthorizer authorizer, ILogger<AuthorizationMiddleware> logger)
{
    private static readonly object DecisionKey = new();

    public static (string Action, IReadOnlyList<string> Resources, AuthorizationDecision Decision)? DecisionOf(HttpContext context) =>
        context.Items.TryGetValue(DecisionKey, out var value) ? ((string, IReadOnlyList<string>, AuthorizationDecision))value! : null;

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<AnonymousEndpointMetadata>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var caller = context.Caller();
        var action = endpoint.Metadata.GetMetadata<ActionMetadata>();
        if (action is null)
        {
            // Routing answers 405 and 415 with endpoints of its own (not route endpoints) that only
            // set a status; let them through to say so.
            if (endpoint is not RouteEndpoint)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            LogUndeclared(endpoint.DisplayName ?? "?");
            throw NimbusException.AccessDenied("This endpoint declares no authorization rule; access is denied.");
        }

        var resources = action.Resources(context, caller);
        var resourceTags = endpoint.Metadata.GetMetadata<ResourceTagsMetadata>();
        var requestTags = endpoint.Metadata.GetMetadata<RequestTagsMetadata>();
        var decision = resourceTags is null && requestTags is null
            ? await authorizer.AuthorizeAsync(caller, action.Action, resources, context.RequestAborted).ConfigureAwait(false)
            : await authorizer.AuthorizeAsync(
                caller,
                new AuthorizationTarget
                {
                    Action = action.Action,
                    Resources = resources,
                    LoadResourceTags = resourceTags is null ? null : ct => ResourceTagsAsync(context, caller, resourceTags.RouteKey, ct),
                    LoadRequestTags = requestTags is null ? null : ct => RequestTagReader.ReadAsync(context, ct),
                },
                context.RequestAborted).ConfigureAwait(false);
        context.Items[DecisionKey] = (action.Action, resources, decision);
        if (!decision.Allowed)
        {
            throw new NimbusException(ErrorCodes.AccessDenied, 403, $"{caller.Principal} is not authorized to perform {action.Action} on {string.Join(", ", resources)}: {decision.Reason}.");
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The tags of the resource named by the route (through the store's cached GET); none when it does not exist in the caller's account (the handler answers 404).</summary>
    private static async ValueTask<IReadOnlyDictionary<string, string>?> ResourceTagsAsync(HttpContext context, CallerContext caller, string routeKey, CancellationToken cancellationToken)
    {
        if (context.Request.RouteValues[routeKey]?.ToString() is not { Length: > 0 and <= 128 } id)
        {
            return null;
        }

        var store = context.RequestServices.GetRequiredService<IResourceStore>();
        var resource = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return resource is not null && resource.Account == caller.Account ? resource.Tags : null;
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Endpoint {Endpoint} declares no IAM action; every request to it is denied")]
    private partial void LogUndeclared(string endpoint);
}
