using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class PolicyVariableTests
{
    // Context, requested resource, whether "user/${nimbus:username}" (or the tag form) allows it.
    public static TheoryData<string, string, bool> Cases => new()
    {
        { "nimbus:username=alice", "nrn:nimbus:iam::111122223333:user/alice", true },
        { "nimbus:username=alice", "nrn:nimbus:iam::111122223333:user/bob", false },
        { "", "nrn:nimbus:iam::111122223333:user/alice", false },
        { "nimbus:username=alice|bob", "nrn:nimbus:iam::111122223333:user/alice", false },
        { "nimbus:PrincipalTag/team=blue", "nrn:nimbus:iam::111122223333:group/blue-admins", true },
        { "nimbus:PrincipalTag/team=blue", "nrn:nimbus:iam::111122223333:group/red-admins", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resource_variables_are_replaced_by_request_values(string context, string resource, bool allowed)
    {
        var set = CompiledPolicySet.Compile([Policy("Self", """
            { "Statement": { "Effect": "Allow", "Action": "iam:*",
              "Resource": ["nrn:nimbus:iam::111122223333:user/${nimbus:username}", "nrn:nimbus:iam::111122223333:group/${nimbus:PrincipalTag/team}-*"] } }
            """)]);

        set.Evaluate(Request("iam:GetUser", resource, context: Context(context))).IsAllowed.ShouldBe(allowed);
    }

    [Fact]
    public void NotResource_with_a_variable_excludes_the_substituted_resource()
    {
        var set = CompiledPolicySet.Compile([BuiltInPolicies.AdministratorAccess(), Policy("NotSelf", """
            { "Statement": { "Effect": "Deny", "Action": "iam:DeleteUser", "NotResource": "nrn:nimbus:iam::111122223333:user/${nimbus:username}" } }
            """)]);
        var context = Context("nimbus:username=alice");

        set.Evaluate(Request("iam:DeleteUser", "nrn:nimbus:iam::111122223333:user/alice", context: context)).Kind.ShouldBe(DecisionKind.Allowed);
        set.Evaluate(Request("iam:DeleteUser", "nrn:nimbus:iam::111122223333:user/bob", context: context)).Kind.ShouldBe(DecisionKind.ExplicitDeny);
    }
}
