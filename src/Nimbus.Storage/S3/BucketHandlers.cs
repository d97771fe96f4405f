using Nimbus.Storage.Buckets;

namespace Nimbus.Storage.S3;

/// <summary>Bucket-level S3 operations: list, create, head, delete, location.</summary>
internal static class BucketHandlers
{
    public static async Task ListBucketsAsync(S3Context s3)
    {
        await s3.AuthorizeAsync("s3:ListAllMyBuckets", BucketService.ArnPrefix + "*", bucket: null).ConfigureAwait(false);
        var caller = s3.Caller ?? throw S3Errors.AccessDenied();
        var buckets = await s3.Services.Buckets.ListAsync(caller.Account, s3.Aborted).ConfigureAwait(false);
        using var xml = new S3Xml("ListAllMyBucketsResult");
        xml.Start("Owner").Element("ID", caller.Account).Element("DisplayName", caller.Account).End();
        xml.Start("Buckets");
        foreach (var bucket in buckets.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            xml.Start("Bucket").Element("Name", bucket.Name).Element("CreationDate", bucket.CreatedAt).Element("BucketRegion", bucket.Region).End();
        }

        xml.End();
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task CreateBucketAsync(S3Context s3)
    {
        var name = s3.BucketName;
        await s3.AuthorizeAsync("s3:CreateBucket", s3.BucketArn, bucket: null).ConfigureAwait(false);
        S3Acl.RequireOwnerOnlyHeaders(s3);
        var body = await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false);
        if (body.Length > 0)
        {
            var configuration = S3XmlInput.Parse(body, "CreateBucketConfiguration");
            var location = configuration.Child("LocationConstraint")?.Value;
            if (!string.IsNullOrEmpty(location) && location != s3.Services.Options.Region)
            {
                throw new Core.Errors.NimbusException("InvalidLocationConstraint", 400, $"The specified location constraint '{location}' is not valid: this installation's region is '{s3.Services.Options.Region}'.");
            }
        }

        var owner = s3.Caller ?? throw S3Errors.AccessDenied("Anonymous requests cannot create buckets.");
        await s3.Services.Buckets.CreateAsync(owner.Account, name, tags: null, s3.Aborted).ConfigureAwait(false);
        s3.Response.Headers.Location = "/" + name;
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task HeadBucketAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:ListBucket", bucket.Arn, bucket).ConfigureAwait(false);
        s3.Response.Headers["x-amz-bucket-region"] = bucket.Spec.Region;
        s3.Response.StatusCode = 200;
    }

    public static async Task DeleteBucketAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:DeleteBucket", bucket.Arn, bucket).ConfigureAwait(false);
        await s3.Services.Buckets.DeleteAsync(bucket.Account, bucket.Name, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 204;
    }

    public static async Task GetLocationAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketLocation", bucket.Arn, bucket).ConfigureAwait(false);
        using var xml = new S3Xml("LocationConstraint");
        xml.Text(bucket.Spec.Region);
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task GetVersioningAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketVersioning", bucket.Arn, bucket).ConfigureAwait(false);
        using var xml = new S3Xml("VersioningConfiguration");
        if (bucket.Spec.Versioning is { } state)
        {
            xml.Element("Status", state);
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    /// <summary>Buckets have no ACLs here (IAM and bucket policies decide); the owner's full control is reported for clients that ask.</summary>
    public static async Task GetAclAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:GetBucketAcl", bucket.Arn, bucket).ConfigureAwait(false);
        await S3Acl.SendOwnerFullControlAsync(s3, bucket.Account).ConfigureAwait(false);
    }

    public static async Task PutAclAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketAcl", bucket.Arn, bucket).ConfigureAwait(false);
        await S3Acl.PutAsync(s3, bucket.Account).ConfigureAwait(false);
    }
}
