using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam.Mfa;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Web console sign-in: password (and MFA), an HttpOnly SameSite=Strict cookie, CSRF on state changes, lockout.</summary>
public sealed class ConsoleSignInTests : IAsyncLifetime
{
    private const string Password = "Correct-Horse-Battery-9";
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<ResourceDto> UserAsync(string name)
    {
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name, Password = Password })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/users/{user.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "DemoFullAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        return user;
    }

    private HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = _server.Endpoint };

    private Task<HttpResponseMessage> LoginAsync(HttpClient browser, string user, string password, string? code = null) =>
        browser.PostAsync("/v1/sts/sessions:login", Json(new ConsoleLoginRequest { Account = "admin", UserName = user, Password = password, MfaCode = code }));

    [Fact]
    public async Task Signing_in_gives_a_strict_http_only_cookie_and_state_changes_need_the_csrf_token()
    {
        await UserAsync("carol");
        using var browser = Browser();
        await (await LoginAsync(browser, "carol", "wrong-password")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var response = await LoginAsync(browser, "carol", Password);
        var session = await response.ShouldBeOkAsync<ConsoleSessionDto>();
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        setCookie.ShouldStartWith("nimbus_session=");
        setCookie.ShouldContain("httponly", Case.Insensitive);
        setCookie.ShouldContain("samesite=strict", Case.Insensitive);
        session.Principal.ShouldContain(":user/usr-");

        (await browser.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var create = new CreateWidgetRequest { Name = "from-console", Spec = new WidgetSpec { Message = "hi" } };
        await (await browser.PostJsonAsync("/v1/demo/widgets", create)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        using var withCsrf = new HttpRequestMessage(HttpMethod.Post, "/v1/demo/widgets") { Content = Json(create) };
        withCsrf.Headers.Add("X-CSRF-Token", session.CsrfToken);
        (await browser.SendAsync(withCsrf)).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await browser.PostAsync("/v1/sts/sessions:logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await browser.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingAuthentication);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_user_out_with_backoff()
    {
        // A clock that stands still: each attempt costs a 600,000-round PBKDF2, and on a loaded machine
        // five of them outlasted the lockout on the real clock.
        var clock = new ShiftableTimeProvider();
        await using var server = await NimbusServer.StartAsync(time: clock);
        using var admin = server.SignedHttpClient(clock: clock.GetUtcNow);
        (await admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "dave", Password = Password })).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var browser = new HttpClient { BaseAddress = server.Endpoint };
        Task<HttpResponseMessage> Login(string password) =>
            browser.PostAsync("/v1/sts/sessions:login", Json(new ConsoleLoginRequest { Account = "admin", UserName = "dave", Password = password }));
        for (var i = 0; i < 5; i++)
        {
            await (await Login("wrong-password")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        }

        var locked = await Login(Password);
        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.Throttled);
        var retryAfter = int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.ShouldBeGreaterThanOrEqualTo(1);

        // The backoff ends: the right password works again once it has passed.
        clock.Advance(TimeSpan.FromSeconds(retryAfter + 1));
        (await Login(Password)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_account_password_policy_is_enforced()
    {
        var updated = await (await _admin.PutAsync("/v1/iam/password-policy", Json(new PasswordPolicyDto { MinimumLength = 20, MaxAgeDays = 1 }))).ShouldBeOkAsync<PasswordPolicyDto>();
        updated.MinimumLength.ShouldBe(20);
        (await (await _admin.GetAsync("/v1/iam/password-policy")).ShouldBeOkAsync<PasswordPolicyDto>()).MaxAgeDays.ShouldBe(1);
        var problem = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "short", Password = "Short-Pass-123" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Single().Message.ShouldBe("must be at least 20 characters long");
        await (await _admin.PutAsync("/v1/iam/password-policy", Json(new PasswordPolicyDto { MinimumLength = 4 }))).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    [Fact]
    public async Task An_expired_password_cannot_sign_in()
    {
        var clock = new ShiftableTimeProvider();
        await using var server = await NimbusServer.StartAsync(time: clock);
        using var admin = server.SignedHttpClient(clock: clock.GetUtcNow);
        (await admin.PutAsync("/v1/iam/password-policy", Json(new PasswordPolicyDto { MaxAgeDays = 1 }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "old", Password = Password })).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var browser = new HttpClient { BaseAddress = server.Endpoint };
        var login = new ConsoleLoginRequest { Account = "admin", UserName = "old", Password = Password };
        (await browser.PostAsync("/v1/sts/sessions:login", Json(login))).StatusCode.ShouldBe(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(2));
        await (await browser.PostAsync("/v1/sts/sessions:login", Json(login))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PasswordExpired);
    }

    [Fact]
    public async Task A_user_with_mfa_needs_a_code_to_sign_in()
    {
        var erin = await UserAsync("erin");
        var device = await (await _admin.PostAsync($"/v1/iam/users/{erin.Id}/mfa-device", null)).ShouldBeOkAsync<CreateMfaDeviceResponse>();
        var secret = Base32.Decode(device.Base32Secret)!;
        var step = Totp.StepOf(DateTimeOffset.UtcNow);
        (await _admin.PostAsync($"/v1/iam/users/{erin.Id}/mfa-device:enable", Json(new EnableMfaDeviceRequest { Code1 = Totp.Compute(secret, step - 1), Code2 = Totp.Compute(secret, step) }))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var browser = Browser();
        await (await LoginAsync(browser, "erin", Password)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        (await LoginAsync(browser, "erin", Password, Totp.Compute(secret, step + 1))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
