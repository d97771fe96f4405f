using Nimbus.Iam.Authorization;
using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Authorization.S3Fixtures;

namespace Nimbus.Iam.Tests.Authorization;

/// <summary>
/// Every rule of <see cref="AuthorizationRules"/> on a bucket of account A (S3 NRNs carry no account, so the
/// owner is passed as the resource account), as AWS evaluates identity and bucket policies together.
/// </summary>
public sealed class AuthorizationRulesTests
{
    private static readonly Dictionary<string, string?> IdentityPolicies = new()
    {
        ["none"] = null,
        ["getObject"] = """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" } ] }""",
        ["s3All"] = """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "s3:*", "Resource": "*" } ] }""",
    };

    private static readonly Dictionary<string, CompiledPolicy?> ResourcePolicies = new()
    {
        ["none"] = null,
        ["allowAlice"] = Resource($$"""{ "Version": "2012-10-17", "Statement": [ { "Sid": "Alice", "Effect": "Allow", "Principal": { "AWS": "{{Alice}}" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" } ] }"""),
        ["allowEveryone"] = Resource("""{ "Version": "2012-10-17", "Statement": [ { "Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" } ] }"""),
        ["allowAccountB"] = Resource("""{ "Version": "2012-10-17", "Statement": [ { "Sid": "AccountB", "Effect": "Allow", "Principal": { "AWS": ["444455556666"] }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" } ] }"""),
        ["allowRootB"] = Resource("""{ "Version": "2012-10-17", "Statement": [ { "Sid": "RootB", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::444455556666:root" }, "Action": "s3:*", "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"] } ] }"""),
        ["denyEveryone"] = Resource("""{ "Version": "2012-10-17", "Statement": [ { "Sid": "Locked", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"] } ] }"""),
        ["denyAlice"] = Resource($$"""{ "Version": "2012-10-17", "Statement": [ { "Sid": "NotAlice", "Effect": "Deny", "Principal": { "Nimbus": ["{{Alice}}"] }, "Action": "s3:GetObject", "Resource": "nrn:nimbus:s3:::photos/*" } ] }"""),
        ["unreadable"] = ResourcePolicyCache.Unreadable,
    };

    public static TheoryData<string, string, string, string, string, bool, string> Rules => new()
    {
        // who, identity policy, resource policy, action, resource, allowed, reason (a fragment)
        // One account: an identity allow or a resource-policy allow naming the principal suffices; a deny anywhere wins.
        { "alice", "getObject", "none", "s3:GetObject", CatPhoto, true, "allowed by policy" },
        { "alice", "none", "allowAlice", "s3:GetObject", CatPhoto, true, "allowed by policy" },
        { "alice", "none", "allowEveryone", "s3:GetObject", CatPhoto, true, "allowed by policy" },
        { "alice", "none", "allowAccountB", "s3:GetObject", CatPhoto, false, "no identity or resource policy allows the action" },
        { "alice", "none", "none", "s3:GetObject", CatPhoto, false, "no identity or resource policy allows the action" },
        { "alice", "s3All", "denyAlice", "s3:GetObject", CatPhoto, false, "explicitly denied by ResourcePolicy policy resource policy (resource-policy), statement 0 \"NotAlice\"" },
        { "alice", "s3All", "denyEveryone", "s3:PutBucketPolicy", Bucket, false, "\"Locked\"" },
        { "alice", "s3All", "unreadable", "s3:GetObject", CatPhoto, false, "unreadable" },
        { "alice", "getObject", "none", "s3:GetObject", "nrn:nimbus:s3:::other/cat.jpg", false, "no identity or resource policy allows the action" },

        // Across accounts both sides must allow.
        { "bob", "getObject", "none", "s3:GetObject", CatPhoto, false, "cross-account request: the resource policy does not allow the principal" },
        { "bob", "getObject", "allowAccountB", "s3:GetObject", CatPhoto, true, "allowed by policy" },
        { "bob", "getObject", "allowEveryone", "s3:GetObject", CatPhoto, true, "allowed by policy" },
        { "bob", "none", "allowAccountB", "s3:GetObject", CatPhoto, false, "cross-account request: no identity policy of the principal allows the action" },
        { "bob", "getObject", "allowAlice", "s3:GetObject", CatPhoto, false, "cross-account request: the resource policy does not allow the principal" },

        // The owning root: everything, unless the resource policy denies it, but never locked out of the policy itself.
        { "rootA", "none", "none", "s3:GetObject", CatPhoto, true, "root user of the account" },
        { "rootA", "none", "allowAlice", "s3:PutObject", CatPhoto, true, "root user of the account" },
        { "rootA", "none", "denyEveryone", "s3:GetObject", CatPhoto, false, "\"Locked\"" },
        { "rootA", "none", "denyEveryone", "s3:GetBucketPolicy", Bucket, true, "root user of the account" },
        { "rootA", "none", "denyEveryone", "s3:PutBucketPolicy", Bucket, true, "root user of the account" },
        { "rootA", "none", "denyEveryone", "s3:DeleteBucketPolicy", Bucket, true, "root user of the account" },
        { "rootA", "none", "unreadable", "s3:GetObject", CatPhoto, false, "unreadable" },
        { "rootA", "none", "unreadable", "s3:PutBucketPolicy", Bucket, true, "root user of the account" },

        // Another account's root needs the resource policy, and is not spared its denies.
        { "rootB", "none", "none", "s3:GetObject", CatPhoto, false, "is in another account" },
        { "rootB", "none", "allowAlice", "s3:GetObject", CatPhoto, false, "its resource policy does not allow the principal" },
        { "rootB", "none", "allowAccountB", "s3:GetObject", CatPhoto, true, "root user of the account" },
        { "rootB", "none", "allowRootB", "s3:ListBucket", Bucket, true, "root user of the account" },
        { "rootB", "none", "denyEveryone", "s3:PutBucketPolicy", Bucket, false, "\"Locked\"" },

        // The platform's root acts as the owner everywhere.
        { "admin", "none", "none", "s3:GetObject", CatPhoto, true, "platform root user" },
        { "admin", "none", "denyEveryone", "s3:GetObject", CatPhoto, false, "\"Locked\"" },
        { "admin", "none", "denyEveryone", "s3:DeleteBucketPolicy", Bucket, true, "platform root user" },

        // Anonymous callers: only a statement for "*".
        { "anonymous", "none", "allowEveryone", "s3:GetObject", CatPhoto, true, "allowed to everyone by the resource policy" },
        { "anonymous", "none", "allowEveryone", "s3:PutObject", CatPhoto, false, "anonymous request" },
        { "anonymous", "none", "allowAccountB", "s3:GetObject", CatPhoto, false, "anonymous request" },
        { "anonymous", "none", "allowAlice", "s3:GetObject", CatPhoto, false, "anonymous request" },
        { "anonymous", "none", "none", "s3:GetObject", CatPhoto, false, "anonymous request" },
        { "anonymous", "none", "denyEveryone", "s3:GetObject", CatPhoto, false, "\"Locked\"" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Identity_resource_policy_and_owning_account_combine_as_in_aws(string who, string identity, string resourcePolicy, string action, string resource, bool allowed, string reason)
    {
        var decision = AuthorizationRules.Decide(Subject(who, IdentityPolicies[identity]), action, [resource], AccountA, ResourcePolicies[resourcePolicy], new RequestContext());

        decision.Allowed.ShouldBe(allowed);
        decision.Reason.ShouldContain(reason);
    }

    [Theory]
    [InlineData("s3:GetBucketPolicy", true)]
    [InlineData("S3:PutBucketPolicy", true)]
    [InlineData("s3:DeleteBucketPolicy", true)]
    [InlineData("s3:PutBucketAcl", false)]
    [InlineData("s3:GetObject", false)]
    public void Only_the_bucket_policy_actions_are_lockout_safe(string action, bool safe) =>
        AuthorizationRules.IsLockoutSafe(action).ShouldBe(safe);

    [Theory]
    [InlineData("nrn:nimbus:demo:local:111122223333:widget/w-1", null, true)]
    [InlineData("nrn:nimbus:demo:local:444455556666:widget/w-1", null, false)]
    [InlineData("nrn:nimbus:s3:::photos/cat.jpg", null, true)]
    [InlineData("nrn:nimbus:s3:::photos/cat.jpg", AccountB, false)]
    [InlineData("nrn:nimbus:demo:local:111122223333:widget/w-1", AccountB, true)]
    [InlineData("*", null, true)]
    public void The_owner_is_the_nrns_account_else_the_resource_account_else_the_callers(string resource, string? resourceAccount, bool allowed) =>
        AuthorizationRules.Decide(Subject("rootA"), "s3:GetObject", [resource], resourceAccount, null, RequestContext.Empty).Allowed.ShouldBe(allowed);

    [Fact]
    public void Every_resource_must_be_allowed()
    {
        var alice = Subject("alice", IdentityPolicies["getObject"]);

        AuthorizationRules.Decide(alice, "s3:GetObject", [CatPhoto, "nrn:nimbus:s3:::photos/dog.jpg"], AccountA, null, new RequestContext()).Allowed.ShouldBeTrue();
        var refused = AuthorizationRules.Decide(alice, "s3:GetObject", [CatPhoto, "nrn:nimbus:s3:::secrets/key"], AccountA, null, new RequestContext());
        refused.Allowed.ShouldBeFalse();
    }

    [Fact]
    public void A_resource_policy_condition_sees_the_request_context()
    {
        var policy = Resource("""
            { "Version": "2012-10-17", "Statement": [
              { "Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" },
              { "Sid": "OfficeOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*",
                "Condition": { "NotIpAddress": { "aws:SourceIp": "10.0.0.0/8" } } } ] }
            """);

        AuthorizationRules.Decide(AuthorizationSubject.Anonymous, "s3:GetObject", [CatPhoto], AccountA, policy, new RequestContext().Set("nimbus:SourceIp", "10.1.2.3")).Allowed.ShouldBeTrue();
        var outside = AuthorizationRules.Decide(AuthorizationSubject.Anonymous, "s3:GetObject", [CatPhoto], AccountA, policy, new RequestContext().Set("nimbus:SourceIp", "192.0.2.7"));
        outside.Allowed.ShouldBeFalse();
        outside.Reason.ShouldContain("OfficeOnly");
    }
}
