using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class BuiltInPolicyTests
{
    [Fact]
    public void Built_in_policies_are_named_per_service()
    {
        BuiltInPolicies.All(Catalog).Select(p => p.Name).ShouldBe(
        [
            "AdministratorAccess", "ReadOnlyAccess",
            "AuditFullAccess", "AuditReadOnlyAccess", "DemoFullAccess", "DemoReadOnlyAccess",
            "IamFullAccess", "IamReadOnlyAccess", "QuotaFullAccess", "QuotaReadOnlyAccess", "StsFullAccess", "StsReadOnlyAccess",
        ]);
        BuiltInPolicies.AdministratorAccess().Id.ShouldBe("nrn:nimbus:iam::nimbus:policy/AdministratorAccess");
    }

    [Fact]
    public void Built_in_policies_round_trip_through_the_parser()
    {
        foreach (var policy in BuiltInPolicies.All(Catalog))
        {
            var reparsed = Parse(policy.Document.ToJson());
            reparsed.ToJson().ShouldBe(policy.Document.ToJson());
        }
    }

    [Theory]
    [InlineData("AdministratorAccess", "iam:CreateUser", true)]
    [InlineData("AdministratorAccess", "quota:SetQuota", true)]
    [InlineData("ReadOnlyAccess", "iam:ListUsers", true)]
    [InlineData("ReadOnlyAccess", "demo:GetWidget", true)]
    [InlineData("ReadOnlyAccess", "audit:ExportEvents", true)]
    [InlineData("ReadOnlyAccess", "iam:CreateUser", false)]
    [InlineData("ReadOnlyAccess", "iam:AttachUserPolicy", false)]
    [InlineData("ReadOnlyAccess", "demo:DeleteWidget", false)]
    [InlineData("IamFullAccess", "iam:DeletePolicy", true)]
    [InlineData("IamFullAccess", "demo:GetWidget", false)]
    [InlineData("DemoReadOnlyAccess", "demo:ListWidgets", true)]
    [InlineData("DemoReadOnlyAccess", "demo:UpdateWidget", false)]
    [InlineData("DemoReadOnlyAccess", "iam:ListUsers", false)]
    [InlineData("StsFullAccess", "sts:AssumeRole", true)]
    public void Built_in_policies_allow_what_their_name_says(string name, string action, bool allowed)
    {
        var policy = BuiltInPolicies.All(Catalog).Single(p => p.Name == name);

        CompiledPolicySet.Compile([policy]).Evaluate(Request(action)).IsAllowed.ShouldBe(allowed);
    }

    [Fact]
    public void ReadOnlyAccess_lists_exactly_the_read_and_list_actions()
    {
        var actions = BuiltInPolicies.ReadOnlyAccess(Catalog).Document.Statements.Single().Actions!;

        actions.ShouldBe(Catalog.Actions.Where(a => a.AccessLevel is ActionAccessLevel.Read or ActionAccessLevel.List).Select(a => a.FullName));
        actions.ShouldContain("iam:SimulatePrincipalPolicy");
        actions.ShouldNotContain("iam:CreateUser");
    }
}
