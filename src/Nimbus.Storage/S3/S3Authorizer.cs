using Nimbus.Core.Api;
using Nimbus.Storage.Buckets;

namespace Nimbus.Storage.S3;

/// <summary>
/// Authorization of S3 requests through the platform's <see cref="IAuthorizer"/>: S3 actions on
/// <c>nrn:nimbus:s3:::bucket[/key]</c>, with the bucket's owner (S3 names carry no account) and policy, the
/// bucket's tags for bucket-level actions, and S3's condition keys. An unsigned request is the anonymous
/// caller, whom only a bucket policy naming <c>"*"</c> can allow; a caller of another account needs both its
/// own identity policy and the bucket policy.
/// </summary>
internal sealed class S3Authorizer(IAuthorizer authorizer)
{
    /// <summary>Request headers that are S3 condition keys under their own name (<c>s3:x-amz-acl</c> ...), when sent.</summary>
    private static readonly string[] HeaderKeys =
        ["x-amz-acl", "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-server-side-encryption", "x-amz-storage-class", "x-amz-content-sha256"];

    // Shared by every signed request: the policy evaluator copies condition values into its own context.
    private static readonly string[] PresignedAuthType = ["REST-QUERY-STRING"];
    private static readonly string[] HeaderAuthType = ["REST-HEADER"];
    private static readonly string[] SignatureVersion4 = ["AWS4-HMAC-SHA256"];

    public async Task AuthorizeAsync(S3Context s3, string action, string resource, BucketEntry? bucket, IReadOnlyDictionary<string, IReadOnlyList<string>>? conditionKeys)
    {
        var caller = s3.Caller ?? CallerContext.Anonymous(s3.Http.Connection.RemoteIpAddress, s3.Http.Request.IsHttps);
        await AuthorizeAsync(caller, action, resource, bucket, ConditionKeys(s3, conditionKeys), s3.Aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The same decision for a caller of another service reading or writing storage in process (an image imported
    /// from a bucket): identity policies, the bucket's owner and policy, and the given S3 condition keys.
    /// </summary>
    public async Task AuthorizeAsync(CallerContext caller, string action, string resource, BucketEntry? bucket, IReadOnlyDictionary<string, IReadOnlyList<string>>? conditionKeys, CancellationToken cancellationToken)
    {
        var target = new AuthorizationTarget
        {
            Action = action,
            Resources = [resource],
            ResourceAccount = bucket?.Account,
            ResourcePolicy = bucket?.Spec.Policy,
            ResourceTags = bucket is not null && resource == bucket.Arn ? bucket.Tags : null,
            ConditionKeys = conditionKeys,
        };
        var decision = await authorizer.AuthorizeAsync(caller, target, cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            throw S3Errors.AccessDenied(caller.IsAnonymous
                ? "Access Denied: anonymous requests are allowed only by a bucket policy granting them; sign the request with an access key."
                : $"{caller.Principal} is not authorized to perform {action} on {resource}: {decision.Reason}.");
        }
    }

    /// <summary>The handler's keys (<c>s3:prefix</c> ...) plus those the request's headers and query carry; null when there are none.</summary>
    private static Dictionary<string, IReadOnlyList<string>>? ConditionKeys(S3Context s3, IReadOnlyDictionary<string, IReadOnlyList<string>>? given)
    {
        Dictionary<string, IReadOnlyList<string>>? keys = null;
        foreach (var name in HeaderKeys)
        {
            if (s3.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                (keys ??= new(StringComparer.OrdinalIgnoreCase))["s3:" + name] = [value.ToString()];
            }
        }

        if (s3.Request.Query("versionId") is { } version)
        {
            (keys ??= new(StringComparer.OrdinalIgnoreCase))["s3:versionid"] = [version];
        }

        if (s3.Authentication is { } auth)
        {
            (keys ??= new(StringComparer.OrdinalIgnoreCase))["s3:authType"] = auth.IsPresigned ? PresignedAuthType : HeaderAuthType;
            keys["s3:signatureversion"] = SignatureVersion4;
        }

        if (given is not null)
        {
            keys ??= new(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in given)
            {
                keys[name] = values;
            }
        }

        return keys;
    }
}
