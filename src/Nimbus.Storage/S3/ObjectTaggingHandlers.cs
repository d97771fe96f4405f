namespace Nimbus.Storage.S3;

/// <summary>Object tagging: GET, PUT and DELETE ?tagging on a key (tags also come with PUT's <c>x-amz-tagging</c>).</summary>
internal static class ObjectTaggingHandlers
{
    private const int MaxObjectTags = 10;

    public static async Task GetAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObjectTagging" : "s3:GetObjectVersionTagging", s3.ObjectArn, bucket).ConfigureAwait(false);
        var record = ObjectHandlers.Find(s3, bucket.Id, versionId);
        ObjectHandlers.WriteVersionId(s3, bucket, record.VersionId);
        await Tagging.SendAsync(s3, record.Meta.Tags ?? []).ConfigureAwait(false);
    }

    public static async Task PutAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObjectTagging", s3.ObjectArn, bucket).ConfigureAwait(false);
        var tags = Tagging.Parse(await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false), MaxObjectTags);
        await SetAsync(s3, bucket.Id, tags.Count == 0 ? null : tags).ConfigureAwait(false);
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task DeleteAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:DeleteObjectTagging", s3.ObjectArn, bucket).ConfigureAwait(false);
        await SetAsync(s3, bucket.Id, null).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    private static async Task SetAsync(S3Context s3, string bucketId, SortedDictionary<string, string>? tags)
    {
        var versionId = s3.Request.Query("versionId");
        var record = ObjectHandlers.Find(s3, bucketId, versionId);
        if (!await s3.Services.Engine.UpdateMetaAsync(bucketId, s3.KeyBytes, record.VersionId, record.Meta with { Tags = tags }).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchKey();
        }

        if (versionId is not null)
        {
            s3.Response.Headers["x-amz-version-id"] = record.VersionId;
        }
    }
}
