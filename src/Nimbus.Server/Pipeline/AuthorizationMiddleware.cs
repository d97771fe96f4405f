using Microsoft.AspNetCore.Routing;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;

namespace Nimbus.Server.Pipeline;

/// <summary>
/// Authorization, after authentication and before any handler: reads the endpoint's
/// <see cref="ActionMetadata"/> and asks the <see cref="IAuthorizer"/>. An endpoint that declares
/// no action is denied (fail closed), so a forgotten declaration is a 403, not a hole.
/// </summary>
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
        var decision = await authorizer.AuthorizeAsync(caller, action.Action, resources, context.RequestAborted).ConfigureAwait(false);
        context.Items[DecisionKey] = (action.Action, resources, decision);
        if (!decision.Allowed)
        {
            throw new NimbusException(ErrorCodes.AccessDenied, 403, $"{caller.Principal} is not authorized to perform {action.Action} on {string.Join(", ", resources)}: {decision.Reason}.");
        }

        await next(context).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Endpoint {Endpoint} declares no IAM action; every request to it is denied")]
    private partial void LogUndeclared(string endpoint);
}
