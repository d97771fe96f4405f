using Nimbus.Iam.Authorization;
using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Authorization.S3Fixtures;

namespace Nimbus.Iam.Tests.Authorization;

/// <summary>Bucket policies copied from AWS work as written: <c>arn:aws:</c> resources and principals, <c>{"AWS": ...}</c>.</summary>
public sealed class AwsPolicyCompatibilityTests
{
    private const string AwsBucketPolicy = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "PublicRead",
              "Effect": "Allow",
              "Principal": { "AWS": ["arn:aws:iam::111122223333:root", "444455556666"] },
              "Action": ["s3:GetObject"],
              "Resource": ["arn:aws:s3:::photos/*"]
            }
          ]
        }
        """;

    [Theory]
    [InlineData("nrn:nimbus:s3:::photos/cat.jpg", true)]
    [InlineData("nrn:nimbus:s3:::photos/albums/2026/cat.jpg", true)]
    [InlineData("nrn:nimbus:s3:::photos", false)]
    [InlineData("nrn:nimbus:s3:::photoshop/cat.jpg", false)]
    [InlineData("arn:aws:s3:::photos/cat.jpg", false)]
    public void Arn_aws_resources_match_nimbus_s3_nrns(string resource, bool allowed)
    {
        var allow = Resource(AwsBucketPolicy).FindAllow(
            new AuthorizationRequest { Action = "s3:GetObject", Resource = resource, PrincipalNrn = Bob, PrincipalAccount = AccountB, ResourceAccount = AccountA });

        (allow is not null).ShouldBe(allowed);
    }

    [Theory]
    [InlineData(RootA, AccountA, true)]
    [InlineData(Alice, AccountA, true)]
    [InlineData(Bob, AccountB, true)]
    [InlineData("nrn:nimbus:iam::777788889999:user/usr-eve", "777788889999", false)]
    public void Aws_principals_name_accounts_and_account_roots(string principal, string account, bool named)
    {
        var allow = Resource(AwsBucketPolicy).FindAllow(new AuthorizationRequest
        {
            Action = "s3:GetObject",
            Resource = CatPhoto,
            PrincipalNrn = principal,
            PrincipalAccount = account,
            ResourceAccount = AccountA,
        });

        (allow is not null).ShouldBe(named);
    }

    [Fact]
    public void The_document_keeps_the_text_as_written()
    {
        var document = PolicyDocument.Parse(AwsBucketPolicy, Catalog, PolicyKind.Resource).GetDocumentOrThrow();

        document.Version.ShouldBe("2012-10-17");
        document.Statements[0].Resources.ShouldBe(["arn:aws:s3:::photos/*"]);
        document.Statements[0].Principals.ShouldBe(["arn:aws:iam::111122223333:root", "444455556666"]);
        document.ToJson().ShouldContain("arn:aws:s3:::photos/*");
    }

    [Fact]
    public void Identity_policies_accept_arn_aws_resources_too()
    {
        var set = CompiledPolicySet.Compile([Identity("""{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos" } ] }""")]);

        set.Evaluate(new AuthorizationRequest { Action = "s3:ListBucket", Resource = Bucket, PrincipalNrn = Alice, PrincipalAccount = AccountA }).IsAllowed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("""{ "AWS": "arn:aws:iam::*:root" }""", "malformed principal")]
    [InlineData("""{ "CanonicalUser": "abc" }""", "unknown principal type \"CanonicalUser\"")]
    public void Malformed_aws_principals_are_refused(string principal, string error)
    {
        var errors = PolicyDocument.Parse($$"""{ "Statement": { "Effect": "Allow", "Principal": {{principal}}, "Action": "s3:GetObject", "Resource": "*" } }""", Catalog, PolicyKind.Resource).Errors;

        errors.ShouldHaveSingleItem().Message.ShouldContain(error);
    }

    [Theory]
    [InlineData("arn:aws:s3:::photos/*", true)]
    [InlineData("arn:aws:s3:*", true)]
    [InlineData("arn:aws:s3", false)]
    [InlineData("arn:aws:s3:::photos bucket", false)]
    [InlineData("arn:other:s3:::photos", false)]
    public void Resource_syntax_accepts_the_aws_prefix(string resource, bool valid)
    {
        var errors = PolicyDocument.Parse($$"""{ "Statement": { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "{{resource}}" } }""", Catalog).Errors;

        errors.Count.ShouldBe(valid ? 0 : 1);
    }

    [Fact]
    public void Compiled_resource_policies_are_cached_by_text_and_unreadable_ones_deny()
    {
        var cache = new ResourcePolicyCache(Catalog);

        cache.Get(AwsBucketPolicy).ShouldBeSameAs(cache.Get(AwsBucketPolicy));
        cache.Get("{ not json").ShouldBeSameAs(ResourcePolicyCache.Unreadable);
        cache.Get("""{ "Statement": { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" } }""").ShouldBeSameAs(ResourcePolicyCache.Unreadable);
        cache.Count.ShouldBe(3);
    }

    [Fact]
    public void The_resource_policy_cache_is_bounded()
    {
        var cache = new ResourcePolicyCache(Catalog);
        for (var i = 0; i <= ResourcePolicyCache.MaxEntries + 5; i++)
        {
            cache.Get($$"""{ "Id": "p{{i}}", "Statement": { "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*" } }""");
        }

        cache.Count.ShouldBeLessThanOrEqualTo(ResourcePolicyCache.MaxEntries);
    }
}
