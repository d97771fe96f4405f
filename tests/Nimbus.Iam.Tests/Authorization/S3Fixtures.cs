using Nimbus.Iam.Authorization;
using Nimbus.Iam.Policies;
using Shouldly;

namespace Nimbus.Iam.Tests.Authorization;

/// <summary>A catalog with the S3 actions the S3 service registers, and the principals of two accounts around one bucket.</summary>
internal static class S3Fixtures
{
    public const string AccountA = "111122223333";
    public const string AccountB = "444455556666";
    public const string Platform = "999988887777";
    public const string Alice = "nrn:nimbus:iam::111122223333:user/usr-alice";
    public const string RootA = "nrn:nimbus:iam::111122223333:user/usr-roota";
    public const string Bob = "nrn:nimbus:iam::444455556666:user/usr-bob";
    public const string RootB = "nrn:nimbus:iam::444455556666:user/usr-rootb";
    public const string Admin = "nrn:nimbus:iam::999988887777:user/usr-admin";
    public const string CatPhoto = "nrn:nimbus:s3:::photos/cat.jpg";
    public const string Bucket = "nrn:nimbus:s3:::photos";

    public static ActionCatalog Catalog { get; } = CreateCatalog();

    public static AttachedPolicy Identity(string json)
    {
        var parsed = PolicyDocument.Parse(json, Catalog);
        parsed.Errors.ShouldBeEmpty();
        return new AttachedPolicy("p-identity", "identity", parsed.Document!);
    }

    public static CompiledPolicy Resource(string json)
    {
        var parsed = PolicyDocument.Parse(json, Catalog, PolicyKind.Resource);
        parsed.Errors.ShouldBeEmpty();
        return CompiledPolicy.ForResource(new AttachedPolicy("resource-policy", "resource policy", parsed.Document!));
    }

    public static AuthorizationSubject Subject(string who, string? identityPolicy = null) => who switch
    {
        "anonymous" => AuthorizationSubject.Anonymous,
        "rootA" => new AuthorizationSubject(SubjectKind.Root, RootA, AccountA),
        "rootB" => new AuthorizationSubject(SubjectKind.Root, RootB, AccountB),
        "admin" => new AuthorizationSubject(SubjectKind.PlatformRoot, Admin, Platform),
        "alice" => new AuthorizationSubject(SubjectKind.Policies, Alice, AccountA, Set(identityPolicy)),
        "bob" => new AuthorizationSubject(SubjectKind.Policies, Bob, AccountB, Set(identityPolicy)),
        _ => throw new ArgumentException(who, nameof(who)),
    };

    private static CompiledPolicySet Set(string? identityPolicy) =>
        CompiledPolicySet.Compile(identityPolicy is null ? [] : [Identity(identityPolicy)]);

    private static ActionCatalog CreateCatalog()
    {
        var catalog = ActionCatalog.CreateBuiltIn();
        catalog.Register("s3",
        [
            ("GetObject", ActionAccessLevel.Read), ("PutObject", ActionAccessLevel.Write), ("ListBucket", ActionAccessLevel.List),
            ("CreateBucket", ActionAccessLevel.Write), ("GetBucketPolicy", ActionAccessLevel.Read),
            ("PutBucketPolicy", ActionAccessLevel.Permissions), ("DeleteBucketPolicy", ActionAccessLevel.Permissions),
        ]);
        return catalog;
    }
}
