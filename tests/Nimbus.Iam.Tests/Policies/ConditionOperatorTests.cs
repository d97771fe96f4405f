using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class ConditionOperatorTests
{
    // operator, key, policy values (JSON), request context ("key=v1|v2; ..."), whether the condition holds.
    public static TheoryData<string, string, string, string, bool> Cases => new()
    {
        // String
        { "StringEquals", "nimbus:username", "\"alice\"", "nimbus:username=alice", true },
        { "StringEquals", "nimbus:username", "\"alice\"", "nimbus:username=Alice", false },
        { "StringEquals", "nimbus:username", "[\"bob\", \"alice\"]", "nimbus:username=alice", true },
        { "StringEquals", "nimbus:username", "\"alice\"", "", false },
        { "StringEquals", "NIMBUS:USERNAME", "\"alice\"", "nimbus:username=alice", true },
        { "StringNotEquals", "nimbus:username", "[\"bob\", \"carol\"]", "nimbus:username=alice", true },
        { "StringNotEquals", "nimbus:username", "[\"bob\", \"alice\"]", "nimbus:username=alice", false },
        { "StringNotEquals", "nimbus:username", "\"bob\"", "", true },
        { "StringEqualsIgnoreCase", "nimbus:username", "\"ALICE\"", "nimbus:username=alice", true },
        { "StringEqualsIgnoreCase", "nimbus:username", "\"ALICE\"", "", false },
        { "StringNotEqualsIgnoreCase", "nimbus:username", "\"ALICE\"", "nimbus:username=alice", false },
        { "StringNotEqualsIgnoreCase", "nimbus:username", "\"ALICE\"", "nimbus:username=bob", true },
        { "StringNotEqualsIgnoreCase", "nimbus:username", "\"ALICE\"", "", true },
        { "StringLike", "nimbus:username", "\"al*\"", "nimbus:username=alice", true },
        { "StringLike", "nimbus:username", "\"a?ice\"", "nimbus:username=alice", true },
        { "StringLike", "nimbus:username", "\"A*\"", "nimbus:username=alice", false },
        { "StringLike", "nimbus:username", "\"al*\"", "", false },
        { "StringNotLike", "nimbus:username", "\"al*\"", "nimbus:username=bob", true },
        { "StringNotLike", "nimbus:username", "[\"b*\", \"al*\"]", "nimbus:username=alice", false },
        { "StringNotLike", "nimbus:username", "\"al*\"", "", true },
        // Tags: key names case-insensitive, tag keys case-sensitive.
        { "StringEquals", "nimbus:PrincipalTag/team", "\"blue\"", "Nimbus:principaltag/team=blue", true },
        { "StringEquals", "nimbus:principaltag/team", "\"blue\"", "nimbus:PrincipalTag/Team=blue", false },
        { "StringEquals", "nimbus:ResourceTag/env", "\"prod\"", "nimbus:ResourceTag/env=prod", true },
        { "StringEquals", "nimbus:RequestTag/env", "\"prod\"", "nimbus:RequestTag/env=dev", false },
        // Numeric
        { "NumericEquals", "demo:Copies", "\"3\"", "demo:Copies=3.0", true },
        { "NumericEquals", "demo:Copies", "3", "demo:Copies=4", false },
        { "NumericEquals", "demo:Copies", "3", "demo:Copies=three", false },
        { "NumericNotEquals", "demo:Copies", "3", "demo:Copies=4", true },
        { "NumericNotEquals", "demo:Copies", "3", "demo:Copies=3", false },
        { "NumericNotEquals", "demo:Copies", "3", "", true },
        { "NumericLessThan", "demo:Copies", "10", "demo:Copies=9", true },
        { "NumericLessThan", "demo:Copies", "10", "demo:Copies=10", false },
        { "NumericLessThanEquals", "demo:Copies", "10", "demo:Copies=10", true },
        { "NumericLessThanEquals", "demo:Copies", "10", "demo:Copies=11", false },
        { "NumericGreaterThan", "demo:Copies", "10", "demo:Copies=11", true },
        { "NumericGreaterThan", "demo:Copies", "10", "demo:Copies=10", false },
        { "NumericGreaterThanEquals", "demo:Copies", "10", "demo:Copies=10", true },
        { "NumericGreaterThanEquals", "demo:Copies", "10", "demo:Copies=-1", false },
        { "NumericLessThan", "demo:Copies", "10", "", false },
        // Date (ISO 8601 or epoch seconds on either side)
        { "DateEquals", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", true },
        { "DateEquals", "nimbus:CurrentTime", "\"1795348800\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", true },
        { "DateNotEquals", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:01Z", true },
        { "DateNotEquals", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "", true },
        { "DateLessThan", "nimbus:CurrentTime", "\"2027-01-01T00:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", true },
        { "DateLessThan", "nimbus:CurrentTime", "\"2026-01-01\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", false },
        { "DateLessThanEquals", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", true },
        { "DateGreaterThan", "nimbus:EpochTime", "\"2026-01-01T00:00:00Z\"", "nimbus:EpochTime=1795348800", true },
        { "DateGreaterThan", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", false },
        { "DateGreaterThanEquals", "nimbus:CurrentTime", "\"2026-11-22T12:00:00Z\"", "nimbus:CurrentTime=2026-11-22T12:00:00Z", true },
        { "DateGreaterThan", "nimbus:CurrentTime", "\"2026-01-01T00:00:00Z\"", "", false },
        // Bool
        { "Bool", "nimbus:SecureTransport", "\"true\"", "nimbus:SecureTransport=true", true },
        { "Bool", "nimbus:SecureTransport", "true", "nimbus:SecureTransport=false", false },
        { "Bool", "nimbus:MultiFactorAuthPresent", "\"false\"", "nimbus:MultiFactorAuthPresent=false", true },
        { "Bool", "nimbus:MultiFactorAuthPresent", "\"true\"", "", false },
        { "BoolIfExists", "nimbus:MultiFactorAuthPresent", "\"true\"", "", true },
        { "BoolIfExists", "nimbus:MultiFactorAuthPresent", "\"true\"", "nimbus:MultiFactorAuthPresent=false", false },
        // IP (IPv4, IPv6, single addresses)
        { "IpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=10.1.2.3", true },
        { "IpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=11.1.2.3", false },
        { "IpAddress", "nimbus:SourceIp", "[\"192.168.0.0/16\", \"2001:db8::/32\"]", "nimbus:SourceIp=2001:db8::1", true },
        { "IpAddress", "nimbus:SourceIp", "\"2001:db8::/32\"", "nimbus:SourceIp=2001:db9::1", false },
        { "IpAddress", "nimbus:SourceIp", "\"203.0.113.7\"", "nimbus:SourceIp=203.0.113.7", true },
        { "IpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=::ffff:10.0.0.1", true },
        { "IpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "", false },
        { "NotIpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=11.1.2.3", true },
        { "NotIpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=10.1.2.3", false },
        { "NotIpAddress", "nimbus:SourceIp", "\"10.0.0.0/8\"", "", true },
        // NRN (ArnLike matches part by part: '*' never crosses a ':')
        { "ArnLike", "nimbus:PrincipalArn", "\"nrn:nimbus:iam::111122223333:user/*\"", "nimbus:PrincipalNrn=" + Alice, true },
        { "NrnLike", "nimbus:PrincipalNrn", "\"nrn:nimbus:iam::*:user/alice\"", "nimbus:PrincipalNrn=" + Alice, true },
        { "ArnLike", "nimbus:PrincipalNrn", "\"nrn:nimbus:*:user/alice\"", "nimbus:PrincipalNrn=" + Alice, false },
        { "ArnLike", "nimbus:PrincipalNrn", "\"nrn:nimbus:iam::111122223333:role/*\"", "nimbus:PrincipalNrn=" + Alice, false },
        { "ArnNotLike", "nimbus:PrincipalNrn", "\"nrn:nimbus:iam::111122223333:role/*\"", "nimbus:PrincipalNrn=" + Alice, true },
        { "NrnNotLike", "nimbus:PrincipalNrn", "\"nrn:nimbus:iam::*\"", "", true },
        { "ArnEquals", "nimbus:PrincipalNrn", "\"" + Alice + "\"", "nimbus:PrincipalNrn=" + Alice, true },
        { "ArnNotEquals", "nimbus:PrincipalNrn", "\"" + Alice + "\"", "nimbus:PrincipalNrn=" + Bob, true },
        { "NrnEquals", "nimbus:PrincipalNrn", "\"" + Alice + "\"", "", false },
        // Null checks presence: "true" means the key must be absent.
        { "Null", "nimbus:RequestTag/env", "\"true\"", "", true },
        { "Null", "nimbus:RequestTag/env", "\"true\"", "nimbus:RequestTag/env=prod", false },
        { "Null", "nimbus:RequestTag/env", "\"false\"", "nimbus:RequestTag/env=prod", true },
        { "Null", "nimbus:RequestTag/env", "false", "", false },
        // ...IfExists: a missing key passes; a present one is checked as usual.
        { "StringEqualsIfExists", "nimbus:ResourceTag/env", "\"prod\"", "", true },
        { "StringEqualsIfExists", "nimbus:ResourceTag/env", "\"prod\"", "nimbus:ResourceTag/env=dev", false },
        { "StringNotLikeIfExists", "nimbus:ResourceTag/env", "\"prod*\"", "nimbus:ResourceTag/env=production", false },
        { "NumericLessThanIfExists", "demo:Copies", "5", "", true },
        { "NumericLessThanIfExists", "demo:Copies", "5", "demo:Copies=6", false },
        { "DateLessThanIfExists", "nimbus:CurrentTime", "\"2020-01-01\"", "", true },
        { "IpAddressIfExists", "nimbus:SourceIp", "\"10.0.0.0/8\"", "", true },
        { "NotIpAddressIfExists", "nimbus:SourceIp", "\"10.0.0.0/8\"", "nimbus:SourceIp=10.0.0.1", false },
        { "ArnLikeIfExists", "nimbus:PrincipalNrn", "\"nrn:nimbus:iam::*:role/*\"", "", true },
        // ForAnyValue: some request value must satisfy the operator; missing or empty is false.
        { "ForAnyValue:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "nimbus:TagKeys=owner|env", true },
        { "ForAnyValue:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "nimbus:TagKeys=owner|cost", false },
        { "ForAnyValue:StringEquals", "nimbus:TagKeys", "\"env\"", "", false },
        { "ForAnyValue:StringEquals", "nimbus:TagKeys", "\"env\"", "nimbus:TagKeys=", false },
        { "ForAnyValue:StringNotEquals", "nimbus:TagKeys", "\"env\"", "nimbus:TagKeys=env|owner", true },
        { "ForAnyValue:StringNotEquals", "nimbus:TagKeys", "\"env\"", "nimbus:TagKeys=env", false },
        { "ForAnyValue:StringNotEquals", "nimbus:TagKeys", "\"env\"", "", false },
        { "ForAnyValue:StringLike", "nimbus:TagKeys", "\"cost-*\"", "nimbus:TagKeys=env|cost-center", true },
        { "ForAnyValue:StringEqualsIfExists", "nimbus:TagKeys", "\"env\"", "", true },
        // ForAllValues: every request value must satisfy it; missing or empty is true.
        { "ForAllValues:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "nimbus:TagKeys=env|team", true },
        { "ForAllValues:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "nimbus:TagKeys=env|owner", false },
        { "ForAllValues:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "", true },
        { "ForAllValues:StringEquals", "nimbus:TagKeys", "[\"env\", \"team\"]", "nimbus:TagKeys=", true },
        { "ForAllValues:StringNotEquals", "nimbus:TagKeys", "[\"secret\"]", "nimbus:TagKeys=env|team", true },
        { "ForAllValues:StringNotEquals", "nimbus:TagKeys", "[\"secret\"]", "nimbus:TagKeys=env|secret", false },
        { "ForAllValues:StringLike", "nimbus:TagKeys", "[\"app-*\"]", "nimbus:TagKeys=app-a|app-b", true },
        { "ForAllValues:StringEqualsIgnoreCase", "nimbus:TagKeys", "[\"ENV\"]", "nimbus:TagKeys=env|Env", true },
        // Single-valued operator on a multi-valued key: positive if any matches, negated if none does.
        { "StringEquals", "nimbus:TagKeys", "\"env\"", "nimbus:TagKeys=owner|env", true },
        { "StringNotEquals", "nimbus:TagKeys", "\"env\"", "nimbus:TagKeys=owner|env", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Condition_operator_holds_exactly_as_AWS_defines(string op, string key, string values, string context, bool expected)
    {
        var policy = Statement("Cond", "Allow", "\"demo:GetWidget\"", "\"*\"", $$"""{ "{{op}}": { "{{key}}": {{values}} } }""");
        var set = CompiledPolicySet.Compile([policy]);

        var decision = set.Evaluate(Request("demo:GetWidget", context: Context(context)));

        decision.IsAllowed.ShouldBe(expected);
    }

    [Theory]
    [InlineData("nimbus:username=alice; nimbus:SecureTransport=true", true)]
    [InlineData("nimbus:username=alice; nimbus:SecureTransport=false", false)]
    [InlineData("nimbus:username=bob; nimbus:SecureTransport=true", false)]
    public void Several_operators_and_keys_must_all_hold(string context, bool expected)
    {
        var policy = Statement("Cond", "Allow", "\"demo:GetWidget\"", "\"*\"",
            """{ "StringEquals": { "nimbus:username": ["alice", "carol"] }, "Bool": { "nimbus:SecureTransport": "true" } }""");

        CompiledPolicySet.Compile([policy]).Evaluate(Request("demo:GetWidget", context: Context(context))).IsAllowed.ShouldBe(expected);
    }

    [Fact]
    public void Multiple_keys_under_one_operator_are_ANDed()
    {
        var policy = Statement("Cond", "Allow", "\"demo:GetWidget\"", "\"*\"",
            """{ "StringEquals": { "nimbus:ResourceTag/env": "prod", "nimbus:PrincipalTag/team": "blue" } }""");
        var set = CompiledPolicySet.Compile([policy]);

        set.Evaluate(Request("demo:GetWidget", context: Context("nimbus:ResourceTag/env=prod; nimbus:PrincipalTag/team=blue"))).IsAllowed.ShouldBeTrue();
        set.Evaluate(Request("demo:GetWidget", context: Context("nimbus:ResourceTag/env=prod; nimbus:PrincipalTag/team=red"))).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Request_context_helpers_fill_the_documented_keys()
    {
        var context = new RequestContext()
            .SetSourceIp(System.Net.IPAddress.Parse("10.0.0.9"))
            .SetCurrentTime(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero))
            .SetSecureTransport(true)
            .SetMultiFactorAuthPresent(false)
            .SetPrincipal(Alice, Account, "alice", "AIDA1")
            .SetPrincipalTags([new("team", "blue")])
            .SetRequestTags([new("env", "dev"), new("owner", "alice")]);

        context.TryGet("NIMBUS:SOURCEIP", out var ip).ShouldBeTrue();
        ip.ShouldBe(["10.0.0.9"]);
        context.TryGet("nimbus:CurrentTime", out var now).ShouldBeTrue();
        now.ShouldBe(["2026-11-22T12:00:00Z"]);
        context.TryGet("nimbus:EpochTime", out var epoch).ShouldBeTrue();
        epoch.ShouldBe(["1795348800"]);
        context.TryGet("nimbus:PrincipalArn", out var arn).ShouldBeTrue();
        arn.ShouldBe([Alice]);
        context.TryGet("nimbus:TagKeys", out var keys).ShouldBeTrue();
        keys.ShouldBe(["env", "owner"]);
        context.TryGet("nimbus:PrincipalTag/Team", out _).ShouldBeFalse();
    }

    [Fact]
    public void The_shared_empty_context_cannot_be_changed()
    {
        Should.Throw<InvalidOperationException>(() => RequestContext.Empty.Set("nimbus:username", "mallory"));
        RequestContext.Empty.Count.ShouldBe(0);
    }
}
