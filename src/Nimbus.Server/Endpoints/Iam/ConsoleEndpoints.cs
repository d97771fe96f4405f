using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Iam.Console;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary>Web console sign-in and sign-out: the only /v1 routes served without SigV4 (they are still audited).</summary>
public static class ConsoleEndpoints
{
    public static void MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sts/sessions:login", async (ConsoleLoginRequest request, HttpContext http, ConsoleSessionService sessions, CancellationToken ct) =>
        {
            var (session, cookie) = await sessions.LoginAsync(request, ct).ConfigureAwait(false);
            http.Response.Cookies.Append(ConsoleSessionService.CookieName, cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                Path = "/",
                Expires = session.ExpiresAt,
            });
            return TypedResults.Ok(session);
        }).Anonymous().WithTags("sts").ProducesError(400).ProducesError(403).ProducesError(429)
            .WithSummary("Sign in to the web console with a password (and MFA code): sets an HttpOnly, SameSite=Strict session cookie.");

        app.MapPost("/v1/sts/sessions:logout", async (HttpContext http, ConsoleSessionService sessions, CancellationToken ct) =>
        {
            if (http.Request.Cookies.TryGetValue(ConsoleSessionService.CookieName, out var cookie))
            {
                await sessions.LogoutAsync(cookie, ct).ConfigureAwait(false);
            }

            http.Response.Cookies.Delete(ConsoleSessionService.CookieName, new CookieOptions { Path = "/" });
            return TypedResults.NoContent();
        }).Anonymous().WithTags("sts").WithSummary("Sign out: the session cookie stops working.");
    }
}
