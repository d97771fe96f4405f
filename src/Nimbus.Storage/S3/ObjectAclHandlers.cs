namespace Nimbus.Storage.S3;

/// <summary>GET and PUT ?acl on a key: the bucket owner's FULL_CONTROL, nothing else (<see cref="S3Acl"/>).</summary>
internal static class ObjectAclHandlers
{
    public static async Task GetAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObjectAcl" : "s3:GetObjectVersionAcl", s3.ObjectArn, bucket).ConfigureAwait(false);
        var record = ObjectHandlers.Find(s3, bucket.Id, versionId);
        ObjectHandlers.WriteVersionId(s3, bucket, record.VersionId);
        await S3Acl.SendOwnerFullControlAsync(s3, bucket.Account).ConfigureAwait(false);
    }

    public static async Task PutAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        await s3.AuthorizeAsync(versionId is null ? "s3:PutObjectAcl" : "s3:PutObjectVersionAcl", s3.ObjectArn, bucket).ConfigureAwait(false);
        var record = ObjectHandlers.Find(s3, bucket.Id, versionId);
        await S3Acl.PutAsync(s3, bucket.Account).ConfigureAwait(false);
        if (versionId is not null)
        {
            s3.Response.Headers["x-amz-version-id"] = record.VersionId;
        }
    }
}
