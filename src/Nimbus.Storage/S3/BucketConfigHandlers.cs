using System.Collections.Immutable;
using System.Text;
using Nimbus.Iam.Policies;

namespace Nimbus.Storage.S3;

/// <summary>Bucket configuration sub-resources: ?tagging, ?policy, ?cors.</summary>
internal static class BucketConfigHandlers
{
    private const int MaxBucketTags = 50;
    private const int MaxPolicyBytes = PolicyDocument.MaxResourcePolicyBytes;

    public static async Task GetTaggingAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketTagging", bucket.Arn, bucket).ConfigureAwait(false);
        if (bucket.Tags.Count == 0)
        {
            throw S3Errors.NoSuchTagSet();
        }

        await Tagging.SendAsync(s3, bucket.Tags).ConfigureAwait(false);
    }

    public static async Task PutTaggingAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketTagging", bucket.Arn, bucket).ConfigureAwait(false);
        var tags = Tagging.Parse(await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false), MaxBucketTags);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec, _ => tags.ToImmutableSortedDictionary(StringComparer.Ordinal), s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task DeleteTaggingAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketTagging", bucket.Arn, bucket).ConfigureAwait(false);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec, _ => ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task GetPolicyAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketPolicy", bucket.Arn, bucket).ConfigureAwait(false);
        var policy = bucket.Spec.Policy ?? throw S3Errors.NoSuchBucketPolicy();
        var bytes = Encoding.UTF8.GetBytes(policy);
        s3.Response.StatusCode = 200;
        s3.Response.ContentType = "application/json";
        s3.Response.ContentLength = bytes.Length;
        await s3.Response.Body.WriteAsync(bytes, s3.Aborted).ConfigureAwait(false);
    }

    public static async Task PutPolicyAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketPolicy", bucket.Arn, bucket).ConfigureAwait(false);
        var body = await s3.ReadSmallBodyAsync(MaxPolicyBytes).ConfigureAwait(false);
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw S3Errors.MalformedPolicy("The policy is not valid UTF-8.");
        }

        var parsed = PolicyDocument.Parse(text, s3.Services.Actions, PolicyKind.Resource);
        if (parsed.Errors.Count > 0)
        {
            throw S3Errors.MalformedPolicy(string.Join("; ", parsed.Errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")));
        }

        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Policy = text }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task DeletePolicyAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:DeleteBucketPolicy", bucket.Arn, bucket).ConfigureAwait(false);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Policy = null }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task GetCorsAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketCORS", bucket.Arn, bucket).ConfigureAwait(false);
        var cors = bucket.Spec.Cors ?? throw S3Errors.NoSuchCorsConfiguration();
        var bytes = Encoding.UTF8.GetBytes(cors);
        s3.Response.StatusCode = 200;
        s3.Response.ContentType = "application/xml";
        s3.Response.ContentLength = bytes.Length;
        await s3.Response.Body.WriteAsync(bytes, s3.Aborted).ConfigureAwait(false);
    }

    public static async Task PutCorsAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketCORS", bucket.Arn, bucket).ConfigureAwait(false);
        var configuration = CorsConfiguration.Parse(await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false));
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Cors = configuration.ToXml() }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task DeleteCorsAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketCORS", bucket.Arn, bucket).ConfigureAwait(false);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Cors = null }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task GetLifecycleAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetLifecycleConfiguration", bucket.Arn, bucket).ConfigureAwait(false);
        var lifecycle = bucket.Spec.Lifecycle ?? throw S3Errors.NoSuchLifecycleConfiguration();
        var bytes = Encoding.UTF8.GetBytes(lifecycle);
        s3.Response.StatusCode = 200;
        s3.Response.ContentType = "application/xml";
        s3.Response.ContentLength = bytes.Length;
        await s3.Response.Body.WriteAsync(bytes, s3.Aborted).ConfigureAwait(false);
    }

    public static async Task PutLifecycleAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutLifecycleConfiguration", bucket.Arn, bucket).ConfigureAwait(false);
        var body = await s3.ReadSmallBodyAsync(256 * 1024).ConfigureAwait(false);
        _ = Lifecycle.LifecycleConfiguration.Parse(body);

        // Stored as sent (validated): GET returns the rules the way the client wrote them.
        var text = Encoding.UTF8.GetString(body);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Lifecycle = text }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task DeleteLifecycleAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutLifecycleConfiguration", bucket.Arn, bucket).ConfigureAwait(false);
        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Lifecycle = null }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }
}
