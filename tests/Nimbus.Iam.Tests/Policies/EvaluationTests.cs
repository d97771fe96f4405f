using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class EvaluationTests
{
    // Action and Resource element values (JSON), the requested action and resource, the expected decision.
    public static TheoryData<string, string, string, string, string, string, DecisionKind> Matching => new()
    {
        { "Action", "\"demo:GetWidget\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:GetWidget\"", "Resource", "\"*\"", "demo:ListWidgets", Widget, DecisionKind.ImplicitDeny },
        { "Action", "\"DEMO:getwidget\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "Resource", "\"*\"", "Demo:DeleteWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:Get*\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:Get*\"", "Resource", "\"*\"", "demo:ListWidgets", Widget, DecisionKind.ImplicitDeny },
        { "Action", "\"demo:?etWidget\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*Widget\"", "Resource", "\"*\"", "demo:CreateWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"*\"", "Resource", "\"*\"", "iam:ListUsers", "*", DecisionKind.Allowed },
        { "Action", "[\"iam:ListUsers\", \"demo:*\"]", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"iam:*\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
        // Resources are case-sensitive; '*' crosses ':' and '/', '?' is one character.
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:local:111122223333:widget/*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:local:111122223333:widget/w-?\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:local:111122223333:widget/w-??\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:local:111122223333:Widget/*\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:*:*:widget/w-1\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "Resource", "\"nrn:nimbus:demo:local:444455556666:*\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
        // NotAction: every action except those listed.
        { "NotAction", "\"iam:*\"", "Resource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "NotAction", "\"iam:*\"", "Resource", "\"*\"", "iam:CreateUser", "*", DecisionKind.ImplicitDeny },
        { "NotAction", "[\"demo:Delete*\", \"demo:Update*\"]", "Resource", "\"*\"", "demo:CreateWidget", Widget, DecisionKind.Allowed },
        { "NotAction", "[\"demo:Delete*\", \"demo:Update*\"]", "Resource", "\"*\"", "demo:DeleteWidget", Widget, DecisionKind.ImplicitDeny },
        // NotResource: every resource except those listed.
        { "Action", "\"demo:*\"", "NotResource", "\"nrn:nimbus:demo:*:*:widget/secret-*\"", "demo:GetWidget", Widget, DecisionKind.Allowed },
        { "Action", "\"demo:*\"", "NotResource", "\"nrn:nimbus:demo:*:*:widget/w-*\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
        { "Action", "\"demo:*\"", "NotResource", "\"*\"", "demo:GetWidget", Widget, DecisionKind.ImplicitDeny },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void Allow_statement_matches_actions_and_resources_with_wildcards(string actionField, string action, string resourceField, string resource, string requestAction, string requestResource, DecisionKind expected)
    {
        var set = CompiledPolicySet.Compile([Statement("S", "Allow", action, resource, actionField: actionField, resourceField: resourceField)]);

        set.Evaluate(Request(requestAction, requestResource)).Kind.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Matching))]
    public void Deny_statement_matches_the_same_requests_an_allow_would(string actionField, string action, string resourceField, string resource, string requestAction, string requestResource, DecisionKind expected)
    {
        var set = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess(), Statement("S", "Deny", action, resource, actionField: actionField, resourceField: resourceField)]);

        set.Evaluate(Request(requestAction, requestResource)).Kind.ShouldBe(expected == DecisionKind.Allowed ? DecisionKind.ExplicitDeny : DecisionKind.Allowed);
    }

    [Fact]
    public void No_policies_is_an_implicit_deny_with_no_deciding_statement()
    {
        var decision = CompiledPolicySet.Compile([]).Evaluate(Request("demo:GetWidget"));

        decision.Kind.ShouldBe(DecisionKind.ImplicitDeny);
        decision.Statement.ShouldBeNull();
        decision.Reason.ShouldBe("no identity or resource policy allows the action");
    }

    [Fact]
    public void Explicit_deny_overrides_allow_and_names_the_deciding_statement()
    {
        var allow = Statement("AllowDemo", "Allow", "\"demo:*\"", "\"*\"");
        var deny = Policy("NoDeletes", """
            { "Version": "2012-10-17", "Statement": [
              { "Sid": "Other", "Effect": "Deny", "Action": "iam:*", "Resource": "*" },
              { "Sid": "DenyDelete", "Effect": "Deny", "Action": "demo:Delete*", "Resource": "*" } ] }
            """);
        var set = CompiledPolicySet.Compile([allow, deny]);

        var decision = set.Evaluate(Request("demo:DeleteWidget"));

        decision.Kind.ShouldBe(DecisionKind.ExplicitDeny);
        decision.Statement.ShouldBe(new DecidingStatement(PolicySource.Identity, "p-NoDeletes", "NoDeletes", "DenyDelete", 1, PolicyEffect.Deny));
        decision.Reason.ShouldBe("explicitly denied by Identity policy NoDeletes (p-NoDeletes), statement 1 \"DenyDelete\", Deny");
        set.Evaluate(Request("demo:GetWidget")).Statement.ShouldBe(new DecidingStatement(PolicySource.Identity, "p-AllowDemo", "AllowDemo", "AllowDemo", 0, PolicyEffect.Allow));
    }

    [Fact]
    public void First_allowing_statement_in_attachment_order_is_reported()
    {
        var set = CompiledPolicySet.Compile([Statement("First", "Allow", "\"*\"", "\"*\""), Statement("Second", "Allow", "\"demo:GetWidget\"", "\"*\"")]);

        set.Evaluate(Request("demo:GetWidget")).Statement!.PolicyName.ShouldBe("First");
    }

    [Theory]
    [InlineData("demo:GetWidget", DecisionKind.Allowed, null)]
    [InlineData("demo:DeleteWidget", DecisionKind.ImplicitDeny, "the permissions boundary does not allow the action")]
    [InlineData("iam:ListUsers", DecisionKind.ImplicitDeny, "no identity or resource policy allows the action")]
    public void Permissions_boundary_intersects_with_identity_policies(string action, DecisionKind expected, string? reason)
    {
        var identity = Statement("Demo", "Allow", "\"demo:*\"", "\"*\"");
        var boundary = Statement("Boundary", "Allow", "[\"demo:Get*\", \"demo:List*\", \"iam:*\"]", "\"*\"");
        var decision = CompiledPolicySet.Compile([identity], permissionsBoundary: boundary).Evaluate(Request(action, "*"));

        decision.Kind.ShouldBe(expected);
        if (reason is not null)
        {
            decision.Reason.ShouldBe(reason);
        }
    }

    [Fact]
    public void Deny_in_a_permissions_boundary_is_an_explicit_deny()
    {
        var boundary = Policy("Boundary", """
            { "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" },
                             { "Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*" } ] }
            """);
        var decision = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess()], boundary).Evaluate(Request("iam:CreateUser", "*"));

        decision.Kind.ShouldBe(DecisionKind.ExplicitDeny);
        decision.Statement!.Source.ShouldBe(PolicySource.PermissionsBoundary);
        decision.Statement.Sid.ShouldBe("NoIam");
    }

    [Theory]
    [InlineData("demo:ListWidgets", DecisionKind.Allowed, PolicySource.Identity)]
    [InlineData("demo:CreateWidget", DecisionKind.ImplicitDeny, null)]
    public void Session_policy_intersects_with_identity_policies(string action, DecisionKind expected, PolicySource? source)
    {
        var session = Statement("Session", "Allow", "\"demo:List*\"", "\"*\"");
        var decision = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess()], sessionPolicy: session).Evaluate(Request(action));

        decision.Kind.ShouldBe(expected);
        ((PolicySource?)decision.Statement?.Source).ShouldBe(source);
        if (expected == DecisionKind.ImplicitDeny)
        {
            decision.Reason.ShouldBe("the session policy does not allow the action");
        }
    }

    [Fact]
    public void Session_policy_alone_grants_nothing()
    {
        var session = Statement("Session", "Allow", "\"*\"", "\"*\"");

        CompiledPolicySet.Compile([], sessionPolicy: session).Evaluate(Request("demo:GetWidget")).Kind.ShouldBe(DecisionKind.ImplicitDeny);
    }

    [Fact]
    public void Conditions_gate_a_deny_too()
    {
        var denyOutside = Statement("DenyOutside", "Deny", "\"*\"", "\"*\"", """{ "NotIpAddress": { "nimbus:SourceIp": ["10.0.0.0/8", "fd00::/8"] } }""");
        var set = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess(), denyOutside]);

        set.Evaluate(Request("demo:GetWidget", context: Context("nimbus:SourceIp=10.2.3.4"))).Kind.ShouldBe(DecisionKind.Allowed);
        set.Evaluate(Request("demo:GetWidget", context: Context("nimbus:SourceIp=fd00::1"))).Kind.ShouldBe(DecisionKind.Allowed);
        set.Evaluate(Request("demo:GetWidget", context: Context("nimbus:SourceIp=203.0.113.9"))).Kind.ShouldBe(DecisionKind.ExplicitDeny);
    }

    [Fact]
    public void Compiled_set_gives_the_same_answer_from_many_threads()
    {
        var set = CompiledPolicySet.Compile([Statement("Demo", "Allow", "\"demo:Get*\"", "\"*\"")]);

        Parallel.For(0, 10_000, i =>
        {
            var allowed = set.Evaluate(Request(i % 2 == 0 ? "demo:GetWidget" : "demo:DeleteWidget")).IsAllowed;
            allowed.ShouldBe(i % 2 == 0);
        });
    }
}
