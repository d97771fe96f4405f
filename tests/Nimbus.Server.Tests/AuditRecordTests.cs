using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Logging.Abstractions;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Server.Pipeline;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>
/// The record of a request that authorization refuses. No endpoint of today's authorizer can be
/// refused over HTTP (every scope is the caller's own account), so the pipeline step runs here directly.
/// </summary>
public sealed class AuditRecordTests
{
    private sealed class DenyAll : IAuthorizer
    {
        public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new AuthorizationDecision(false, "no policy allows it"));

        public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, AuthorizationTarget target, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new AuthorizationDecision(false, "no policy allows it"));
    }

    [Fact]
    public async Task A_request_refused_by_authorization_is_denied_with_action_resources_and_principal()
    {
        var context = new DefaultHttpContext { TraceIdentifier = "req-authz" };
        context.Request.Method = "DELETE";
        context.Request.Path = "/v1/demo/widgets/wdg-1";
        context.Request.Headers.UserAgent = new string('u', 600);
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:10.1.2.3");
        context.SetBufferedBody("""{"reason":"x","password":"p4ss"}"""u8.ToArray());
        context.SetCaller(new CallerContext { Account = "123456789012", Principal = "nrn:nimbus:iam::123456789012:user/usr-1", UserName = "bob", AccessKeyId = "NKIABOB" });
        var metadata = new ActionMetadata("demo:DeleteWidget", (_, caller) => [$"nrn:nimbus:demo:local:{caller.Account}:widget/wdg-1"]);
        context.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/v1/demo/widgets/{id}"), 0, new EndpointMetadataCollection(metadata), "delete"));
        var middleware = new AuthorizationMiddleware(_ => Task.CompletedTask, new DenyAll(), NullLogger<AuthorizationMiddleware>.Instance);

        var refused = await Should.ThrowAsync<NimbusException>(() => middleware.InvokeAsync(context));
        context.Response.StatusCode = refused.Status;
        var time = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var record = AuditMiddleware.BuildRecord(context, time, refused);

        record.Time.ShouldBe(time);
        record.RequestId.ShouldBe("req-authz");
        record.Account.ShouldBe("123456789012");
        record.UserName.ShouldBe("bob");
        record.AccessKeyId.ShouldBe("NKIABOB");
        record.SourceIp.ShouldBe("10.1.2.3");
        record.UserAgent!.Length.ShouldBe(512);
        record.Action.ShouldBe("demo:DeleteWidget");
        record.Resources.ShouldBe(["nrn:nimbus:demo:local:123456789012:widget/wdg-1"]);
        record.Outcome.ShouldBe(AuditOutcomes.Denied);
        record.Status.ShouldBe(403);
        record.ErrorCode.ShouldBe(ErrorCodes.AccessDenied);
        record.RequestParameters.ShouldBe("""{"reason":"x","password":"***REDACTED***"}""");
    }
}
