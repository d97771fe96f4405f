using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// ACLs are disabled, as on an S3 bucket with Object Ownership "bucket owner enforced": reading one answers the
/// owner's FULL_CONTROL, and any ACL granting more is refused with AccessControlListNotSupported, never ignored.
/// </summary>
public sealed class AclTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Bucket_and_object_acls_read_as_the_owners_full_control()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });

        var bucketAcl = await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket });
        var objectAcl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });
        foreach (var (owner, grants) in new[] { (bucketAcl.Owner, bucketAcl.Grants), (objectAcl.Owner, objectAcl.Grants) })
        {
            owner.Id.ShouldMatch("^[0-9]{12}$");
            var grant = grants.ShouldHaveSingleItem();
            grant.Permission.ShouldBe(S3Permission.FULL_CONTROL);
            grant.Grantee.Type.ShouldBe(GranteeType.CanonicalUser);
            grant.Grantee.CanonicalUser.ShouldBe(owner.Id);
        }

        var missing = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "nope" }));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.ErrorCode.ShouldBe("NoSuchKey");
    }

    [Fact]
    public async Task Writes_asking_for_more_than_the_owners_acl_are_refused_and_change_nothing()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);

        // Private and bucket-owner-full-control are what there is: accepted.
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "private", ContentBody = "x", CannedACL = S3CannedACL.Private });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "owner", ContentBody = "x", CannedACL = S3CannedACL.BucketOwnerFullControl });

        await RefusedAsync(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "public", ContentBody = "x", CannedACL = S3CannedACL.PublicRead }));
        await RefusedAsync(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "granted",
            ContentBody = "x",
            Grants = [new S3Grant { Grantee = new S3Grantee { URI = "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission = S3Permission.READ }],
        }));
        await RefusedAsync(() => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "private", DestinationBucket = bucket, DestinationKey = "copy", CannedACL = S3CannedACL.PublicRead }));
        await RefusedAsync(() => s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "multi", CannedACL = S3CannedACL.PublicReadWrite }));

        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        keys.ShouldBe(["owner", "private"]);
        ((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket })).MultipartUploads ?? []).ShouldBeEmpty();

        var publicBucket = StorageServer.NewBucketName();
        await RefusedAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = publicBucket, CannedACL = S3CannedACL.PublicRead }));
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = publicBucket }))).ErrorCode.ShouldBe("NoSuchBucket");
    }

    [Fact]
    public async Task Setting_an_acl_is_accepted_only_when_it_grants_the_owner_full_control_alone()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });
        var owner = (await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" })).Owner;

        await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.Private });
        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.Private });
        await s3.PutObjectAclAsync(new PutObjectAclRequest
        {
            BucketName = bucket,
            Key = "k",
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = owner,
                Grants = [new S3Grant { Grantee = new S3Grantee { CanonicalUser = owner.Id }, Permission = S3Permission.FULL_CONTROL }],
            },
        });

        await RefusedAsync(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.PublicRead }));
        await RefusedAsync(() => s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.AuthenticatedRead }));
        await RefusedAsync(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", GrantRead = "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"" }));
        await RefusedAsync(() => s3.PutBucketAclAsync(new PutBucketAclRequest
        {
            BucketName = bucket,
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = owner,
                Grants =
                [
                    new S3Grant { Grantee = new S3Grantee { CanonicalUser = owner.Id }, Permission = S3Permission.FULL_CONTROL },
                    new S3Grant { Grantee = new S3Grantee { URI = "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission = S3Permission.READ },
                ],
            },
        }));

        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "nope", ACL = S3CannedACL.Private }))).ErrorCode.ShouldBe("NoSuchKey");

        // Nothing became readable without credentials.
        using var anonymous = new HttpClient();
        (await anonymous.GetAsync($"{fixture.Server.S3Endpoint}/{bucket}/k")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task RefusedAsync(Func<Task> write)
    {
        var refused = await Should.ThrowAsync<AmazonS3Exception>(write);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        refused.ErrorCode.ShouldBe("AccessControlListNotSupported");
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
