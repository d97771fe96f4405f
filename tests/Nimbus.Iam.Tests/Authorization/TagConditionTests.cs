using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Authorization.S3Fixtures;

namespace Nimbus.Iam.Tests.Authorization;

/// <summary>Tag condition keys as the authorizer fills them, and the flags that let it skip reading tags.</summary>
public sealed class TagConditionTests
{
    private const string Widget = "nrn:nimbus:demo:local:111122223333:widget/w-1";

    private static CompiledPolicySet Set(string condition, string effect = "Allow") =>
        CompiledPolicySet.Compile([Identity($$"""{ "Version": "2012-10-17", "Statement": [ { "Effect": "{{effect}}", "Action": "demo:*", "Resource": "*", "Condition": {{condition}} } ] }""")]);

    private static AuthorizationRequest Request(RequestContext context) =>
        new() { Action = "demo:UpdateWidget", Resource = Widget, PrincipalNrn = Alice, PrincipalAccount = AccountA, Context = context };

    public static TheoryData<string, bool, bool> Flags => new()
    {
        { """{ "StringEquals": { "nimbus:ResourceTag/team": "blue" } }""", true, false },
        { """{ "StringEquals": { "aws:ResourceTag/team": "blue" } }""", true, false },
        { """{ "StringEquals": { "nimbus:RequestTag/team": "blue" } }""", false, true },
        { """{ "ForAllValues:StringEquals": { "nimbus:TagKeys": ["team"] } }""", false, true },
        { """{ "ForAnyValue:StringEquals": { "aws:TagKeys": ["team"] } }""", false, true },
        { """{ "IpAddress": { "nimbus:SourceIp": "10.0.0.0/8" } }""", false, false },
        { """{ "StringEquals": { "nimbus:PrincipalTag/team": "blue" } }""", false, false },
    };

    [Theory]
    [MemberData(nameof(Flags))]
    public void A_policy_set_says_whether_it_tests_resource_or_request_tags(string condition, bool resourceTags, bool requestTags)
    {
        var set = Set(condition);

        set.TestsResourceTags.ShouldBe(resourceTags);
        set.TestsRequestTags.ShouldBe(requestTags);
    }

    public static TheoryData<string, string, string, bool> Decisions => new()
    {
        // condition, resource tags "k=v,k=v", request tags, allowed
        { """{ "StringEquals": { "nimbus:ResourceTag/team": "blue" } }""", "team=blue", "", true },
        { """{ "StringEquals": { "nimbus:ResourceTag/team": "blue" } }""", "team=red", "", false },
        { """{ "StringEquals": { "nimbus:ResourceTag/team": "blue" } }""", "", "", false },
        { """{ "StringEquals": { "nimbus:ResourceTag/Team": "blue" } }""", "team=blue", "", false },
        { """{ "StringEquals": { "nimbus:RequestTag/team": "blue" } }""", "", "team=blue", true },
        { """{ "StringEquals": { "nimbus:RequestTag/team": "blue" } }""", "team=blue", "team=red", false },
        { """{ "ForAllValues:StringEquals": { "nimbus:TagKeys": ["team", "env"] } }""", "", "team=blue,env=dev", true },
        { """{ "ForAllValues:StringEquals": { "nimbus:TagKeys": ["team", "env"] } }""", "", "team=blue,owner=eve", false },
        { """{ "ForAllValues:StringEquals": { "nimbus:TagKeys": ["team", "env"] } }""", "", "", true },
        { """{ "ForAnyValue:StringEquals": { "nimbus:TagKeys": ["team"] } }""", "", "", false },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Resource_and_request_tags_decide_through_their_keys(string condition, string resourceTags, string requestTags, bool allowed)
    {
        var context = new RequestContext().SetResourceTags(Tags(resourceTags)).SetRequestTags(Tags(requestTags));

        Set(condition).Evaluate(Request(context)).IsAllowed.ShouldBe(allowed);
    }

    [Theory]
    [InlineData("team=blue", true)]
    [InlineData("team=blue,cost-center=42", false)]
    [InlineData("", true)]
    public void A_deny_on_tag_keys_refuses_requests_that_set_other_tags(string requestTags, bool allowed)
    {
        var set = CompiledPolicySet.Compile([Identity("""
            { "Version": "2012-10-17", "Statement": [
              { "Effect": "Allow", "Action": "demo:*", "Resource": "*" },
              { "Sid": "OnlyTeam", "Effect": "Deny", "Action": "demo:*", "Resource": "*", "Condition": { "ForAnyValue:StringNotEquals": { "nimbus:TagKeys": ["team"] } } } ] }
            """)]);

        set.Evaluate(Request(new RequestContext().SetRequestTags(Tags(requestTags)))).IsAllowed.ShouldBe(allowed);
    }

    [Fact]
    public void Service_condition_keys_are_case_insensitive_and_may_hold_several_values()
    {
        var set = CompiledPolicySet.Compile([Identity("""
            { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
              "Condition": { "StringLike": { "s3:prefix": ["home/alice/*"] }, "NumericLessThanEquals": { "S3:max-keys": "100" } } } ] }
            """)]);
        AuthorizationRequest List(RequestContext context) => new() { Action = "s3:ListBucket", Resource = Bucket, PrincipalNrn = Alice, PrincipalAccount = AccountA, Context = context };

        set.Evaluate(List(new RequestContext().Set("s3:prefix", "home/alice/docs/").Set("s3:max-keys", "50"))).IsAllowed.ShouldBeTrue();
        set.Evaluate(List(new RequestContext().Set("s3:prefix", "home/bob/").Set("s3:max-keys", "50"))).IsAllowed.ShouldBeFalse();
        set.Evaluate(List(new RequestContext().Set("s3:prefix", "home/alice/").Set("s3:max-keys", "1000"))).IsAllowed.ShouldBeFalse();
        set.Evaluate(List(new RequestContext().Set("s3:max-keys", "50"))).IsAllowed.ShouldBeFalse();
    }

    private static KeyValuePair<string, string>[] Tags(string spec) =>
        spec.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new KeyValuePair<string, string>(t[..t.IndexOf('=')], t[(t.IndexOf('=') + 1)..])).ToArray();
}
