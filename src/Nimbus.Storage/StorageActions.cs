using Nimbus.Iam.Policies;

namespace Nimbus.Storage;

/// <summary>
/// The IAM actions of object storage, under AWS's names (<c>s3:GetObject</c> ...), so that policies written
/// for S3 read the same here. Registering them also gives the built-in <c>S3FullAccess</c> and
/// <c>S3ReadOnlyAccess</c> managed policies.
/// </summary>
public static class StorageActions
{
    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("s3",
        [
            ("CreateBucket", ActionAccessLevel.Write), ("DeleteBucket", ActionAccessLevel.Write),
            ("ListAllMyBuckets", ActionAccessLevel.List), ("ListBucket", ActionAccessLevel.List),
            ("ListBucketVersions", ActionAccessLevel.List), ("ListBucketMultipartUploads", ActionAccessLevel.List),
            ("GetBucketLocation", ActionAccessLevel.Read), ("GetBucketAcl", ActionAccessLevel.Read), ("PutBucketAcl", ActionAccessLevel.Permissions),
            ("GetObjectAcl", ActionAccessLevel.Read), ("GetObjectVersionAcl", ActionAccessLevel.Read),
            ("PutObjectAcl", ActionAccessLevel.Permissions), ("PutObjectVersionAcl", ActionAccessLevel.Permissions),
            ("GetObject", ActionAccessLevel.Read), ("GetObjectVersion", ActionAccessLevel.Read),
            ("GetObjectAttributes", ActionAccessLevel.Read), ("GetObjectVersionAttributes", ActionAccessLevel.Read),
            ("PutObject", ActionAccessLevel.Write), ("DeleteObject", ActionAccessLevel.Write), ("DeleteObjectVersion", ActionAccessLevel.Write),
            ("AbortMultipartUpload", ActionAccessLevel.Write), ("ListMultipartUploadParts", ActionAccessLevel.List),
            ("GetBucketTagging", ActionAccessLevel.Read), ("PutBucketTagging", ActionAccessLevel.Write),
            ("GetBucketCORS", ActionAccessLevel.Read), ("PutBucketCORS", ActionAccessLevel.Write),
            ("GetBucketPolicy", ActionAccessLevel.Read), ("PutBucketPolicy", ActionAccessLevel.Permissions), ("DeleteBucketPolicy", ActionAccessLevel.Permissions),
            ("GetBucketVersioning", ActionAccessLevel.Read), ("PutBucketVersioning", ActionAccessLevel.Write),
            ("GetLifecycleConfiguration", ActionAccessLevel.Read), ("PutLifecycleConfiguration", ActionAccessLevel.Write),
            ("GetObjectTagging", ActionAccessLevel.Read), ("PutObjectTagging", ActionAccessLevel.Write), ("DeleteObjectTagging", ActionAccessLevel.Write),
            ("GetObjectVersionTagging", ActionAccessLevel.Read),
            ("GetScrubStatus", ActionAccessLevel.Read), ("StartScrub", ActionAccessLevel.Write),
        ]);
    }
}
