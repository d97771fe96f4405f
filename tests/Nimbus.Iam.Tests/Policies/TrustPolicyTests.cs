using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;

namespace Nimbus.Iam.Tests.Policies;

public sealed class TrustPolicyTests
{
    private static readonly ActionCatalog Catalog = ActionCatalog.CreateBuiltIn();

    [Fact]
    public void A_trust_policy_may_leave_out_the_resource_and_then_means_the_role()
    {
        var parsed = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"123456789012"},"Action":"sts:AssumeRole"}]}""", Catalog, PolicyKind.Trust);
        parsed.Succeeded.ShouldBeTrue(string.Join("; ", parsed.Errors));
        parsed.Document!.Statements.Single().Resources.ShouldBe(["*"]);
    }

    [Fact]
    public void A_trust_policy_still_needs_a_principal_and_a_resource_policy_still_needs_a_resource()
    {
        PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""", Catalog, PolicyKind.Trust)
            .Errors.Single().Message.ShouldContain("Principal");
        PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}""", Catalog, PolicyKind.Resource)
            .Errors.Single().Message.ShouldContain("Resource");
    }
}
