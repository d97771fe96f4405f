using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class CatalogTests
{
    [Theory]
    [InlineData("*", true)]
    [InlineData("iam:*", true)]
    [InlineData("IAM:listusers", true)]
    [InlineData("iam:List*", true)]
    [InlineData("iam:?etUser", true)]
    [InlineData("sts:AssumeRole", true)]
    [InlineData("audit:ExportEvents", true)]
    [InlineData("quota:SetQuota", true)]
    [InlineData("iam:ListWidgets", false)]
    [InlineData("iam:Frob*", false)]
    [InlineData("compute:*", false)]
    [InlineData("iam", false)]
    public void Action_patterns_must_name_a_known_action(string pattern, bool known)
    {
        Catalog.MatchesAnyAction(pattern).ShouldBe(known);
    }

    [Fact]
    public void Built_in_catalog_lists_every_action_of_the_first_services()
    {
        Catalog.Services.ShouldBe(["audit", "demo", "iam", "quota", "sts"]);
        Catalog.Actions.Count.ShouldBe(4 + 60 + 2 + 2 + 5);
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "PutGroupPolicy", ActionAccessLevel.Permissions));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "ListRolePolicies", ActionAccessLevel.List));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "RevokeRoleSessions", ActionAccessLevel.Write));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "PassRole", ActionAccessLevel.Write));
        Catalog.Actions.ShouldContain(new CatalogAction("sts", "RevokeSession", ActionAccessLevel.Write));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "SimulatePrincipalPolicy", ActionAccessLevel.Read));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "AttachUserPolicy", ActionAccessLevel.Permissions));
        Catalog.Actions.ShouldContain(new CatalogAction("demo", "ListWidgets", ActionAccessLevel.List));
        Catalog.Actions.ShouldContain(new CatalogAction("iam", "UpdateAccountPasswordPolicy", ActionAccessLevel.Permissions));
    }

    [Fact]
    public void A_service_registered_later_becomes_usable_in_policies()
    {
        var catalog = ActionCatalog.CreateBuiltIn();
        var json = """{ "Statement": { "Effect": "Allow", "Action": "compute:Run*", "Resource": "*" } }""";
        PolicyDocument.Parse(json, catalog).Errors.Select(e => e.ToString()).ShouldBe(["line 1, column 47: unknown service \"compute\" in action \"compute:Run*\""]);

        catalog.Register("Compute", [("RunInstances", ActionAccessLevel.Write), ("DescribeInstances", ActionAccessLevel.List)]);

        PolicyDocument.Parse(json, catalog).Succeeded.ShouldBeTrue();
        catalog.IsKnownService("compute").ShouldBeTrue();
        BuiltInPolicies.All(catalog).Select(p => p.Name).ShouldContain("ComputeReadOnlyAccess");
    }

    [Fact]
    public void Registering_an_action_again_replaces_its_access_level()
    {
        var catalog = ActionCatalog.CreateBuiltIn();

        catalog.Register("demo", [("GetWidget", ActionAccessLevel.Write)]);

        catalog.Actions.Count(a => a.FullName == "demo:GetWidget").ShouldBe(1);
        catalog.Actions.Single(a => a.FullName == "demo:GetWidget").AccessLevel.ShouldBe(ActionAccessLevel.Write);
    }
}
