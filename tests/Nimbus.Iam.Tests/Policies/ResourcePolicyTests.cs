using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class ResourcePolicyTests
{
    private static CompiledPolicy ResourcePolicy(string principal, string effect = "Allow", string principalField = "Principal") =>
        CompiledPolicy.ForResource(Policy("Bucket", $$"""
            { "Version": "2012-10-17", "Statement": [ { "Sid": "Share", "Effect": "{{effect}}", "{{principalField}}": {{principal}}, "Action": "demo:GetWidget", "Resource": "{{Widget}}" } ] }
            """, PolicyKind.Resource));

    private static CompiledPolicySet BobAllowedByIdentity(bool allowed) =>
        CompiledPolicySet.Compile(allowed ? [Statement("BobDemo", "Allow", "\"demo:*\"", "\"*\"")] : []);

    // Bob (account 444455556666) reads Alice's account's widget: the identity side and the resource side.
    public static TheoryData<bool, string?, DecisionKind, string> CrossAccount => new()
    {
        { true, "{ \"Nimbus\": \"444455556666\" }", DecisionKind.Allowed, "allowed by Identity policy BobDemo (p-BobDemo), statement 0 \"BobDemo\", Allow" },
        { true, "{ \"Nimbus\": [\"" + Bob + "\"] }", DecisionKind.Allowed, "allowed by Identity policy BobDemo (p-BobDemo), statement 0 \"BobDemo\", Allow" },
        { true, "{ \"Nimbus\": \"nrn:nimbus:iam::444455556666:root\" }", DecisionKind.Allowed, "allowed by Identity policy BobDemo (p-BobDemo), statement 0 \"BobDemo\", Allow" },
        { true, "\"*\"", DecisionKind.Allowed, "allowed by Identity policy BobDemo (p-BobDemo), statement 0 \"BobDemo\", Allow" },
        { false, "{ \"Nimbus\": \"444455556666\" }", DecisionKind.ImplicitDeny, "cross-account request: no identity policy of the principal allows the action" },
        { true, "{ \"Nimbus\": \"777788889999\" }", DecisionKind.ImplicitDeny, "cross-account request: the resource policy does not allow the principal" },
        { true, "{ \"Nimbus\": \"nrn:nimbus:iam::444455556666:user/carol\" }", DecisionKind.ImplicitDeny, "cross-account request: the resource policy does not allow the principal" },
        { true, null, DecisionKind.ImplicitDeny, "cross-account request: the resource policy does not allow the principal" },
    };

    [Theory]
    [MemberData(nameof(CrossAccount))]
    public void Cross_account_access_needs_both_identity_and_resource_policy(bool identityAllows, string? principal, DecisionKind expected, string reason)
    {
        var request = Request("demo:GetWidget", Widget, Bob, OtherAccount);
        request.IsCrossAccount.ShouldBeTrue();

        var decision = BobAllowedByIdentity(identityAllows).Evaluate(request, principal is null ? null : ResourcePolicy(principal));

        decision.Kind.ShouldBe(expected);
        decision.Reason.ShouldBe(reason);
    }

    [Fact]
    public void Within_one_account_a_resource_policy_naming_the_principal_is_enough()
    {
        var decision = CompiledPolicySet.Compile([]).Evaluate(Request("demo:GetWidget"), ResourcePolicy($$"""{ "Nimbus": "{{Alice}}" }"""));

        decision.Kind.ShouldBe(DecisionKind.Allowed);
        decision.Statement!.Source.ShouldBe(PolicySource.ResourcePolicy);
        decision.Statement.Sid.ShouldBe("Share");
    }

    [Fact]
    public void Within_one_account_a_resource_policy_naming_someone_else_grants_nothing()
    {
        var decision = CompiledPolicySet.Compile([]).Evaluate(Request("demo:GetWidget"), ResourcePolicy($$"""{ "Nimbus": "{{Bob}}" }"""));

        decision.Kind.ShouldBe(DecisionKind.ImplicitDeny);
    }

    [Fact]
    public void Resource_policy_deny_overrides_an_identity_allow()
    {
        var decision = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess()]).Evaluate(Request("demo:GetWidget"), ResourcePolicy("\"*\"", "Deny"));

        decision.Kind.ShouldBe(DecisionKind.ExplicitDeny);
        decision.Statement!.Source.ShouldBe(PolicySource.ResourcePolicy);
    }

    [Fact]
    public void NotPrincipal_applies_to_everyone_but_the_named()
    {
        var denyOthers = ResourcePolicy($$"""{ "Nimbus": "{{Alice}}" }""", "Deny", "NotPrincipal");
        var admin = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess()]);

        admin.Evaluate(Request("demo:GetWidget"), denyOthers).Kind.ShouldBe(DecisionKind.Allowed);
        admin.Evaluate(Request("demo:GetWidget", principal: "nrn:nimbus:iam::111122223333:user/eve"), denyOthers).Kind.ShouldBe(DecisionKind.ExplicitDeny);
    }

    [Fact]
    public void A_permissions_boundary_also_limits_what_a_resource_policy_grants()
    {
        var set = CompiledPolicySet.Compile([], Statement("Boundary", "Allow", "\"iam:*\"", "\"*\""));

        set.Evaluate(Request("demo:GetWidget"), ResourcePolicy("\"*\"")).Kind.ShouldBe(DecisionKind.ImplicitDeny);
    }

    [Theory]
    [InlineData("nrn:nimbus:demo:local:111122223333:widget/w-1", null, false)]
    [InlineData("nrn:nimbus:demo:local:444455556666:widget/w-1", null, true)]
    [InlineData("*", null, false)]
    [InlineData("*", "444455556666", true)]
    [InlineData("nrn:nimbus:iam:::policy/x", null, false)]
    public void Resource_account_comes_from_the_request_or_the_resource_nrn(string resource, string? resourceAccount, bool crossAccount)
    {
        (Request("demo:GetWidget", resource) with { ResourceAccount = resourceAccount }).IsCrossAccount.ShouldBe(crossAccount);
    }
}
