using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Core.Api;

public static class HttpContextCallerExtensions
{
    private static readonly object CallerKey = new();

    public static void SetCaller(this HttpContext context, CallerContext caller) => context.Items[CallerKey] = caller;

    public static CallerContext? FindCaller(this HttpContext context) => context.Items.TryGetValue(CallerKey, out var value) ? value as CallerContext : null;

    /// <summary>The authenticated caller; throws 401 when the pipeline let an anonymous request reach a handler that needs one.</summary>
    public static CallerContext Caller(this HttpContext context) =>
        context.FindCaller() ?? throw new NimbusException(ErrorCodes.MissingAuthentication, 401, "The request is not authenticated.");
}
