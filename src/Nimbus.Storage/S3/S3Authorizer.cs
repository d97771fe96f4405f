using Nimbus.Core.Api;
using Nimbus.Storage.Buckets;

namespace Nimbus.Storage.S3;

/// <summary>
/// Authorization of S3 requests through the platform's <see cref="IAuthorizer"/>: S3 actions on
/// <c>nrn:nimbus:s3:::bucket[/key]</c>, with the bucket's owner and policy and S3's condition keys.
/// </summary>
internal sealed class S3Authorizer(IAuthorizer authorizer)
{
    public async Task AuthorizeAsync(S3Context s3, string action, string resource, BucketEntry? bucket, IReadOnlyDictionary<string, IReadOnlyList<string>>? conditionKeys)
    {
        var caller = s3.Caller;

        // Interim until the IAM evaluation of resource policies and anonymous callers lands: an unsigned
        // request is refused, and so is a caller from another account than the bucket's (only a bucket
        // policy could allow either); identity policies decide the rest through the plain form.
        if (caller is null)
        {
            throw S3Errors.AccessDenied("Anonymous access is not allowed: sign the request with an access key.");
        }

        if (bucket is not null && bucket.Account != caller.Account && !caller.IsPlatformAdministrator)
        {
            throw S3Errors.AccessDenied($"{caller.Principal} is not authorized to perform {action} on {resource}: the bucket belongs to another account.");
        }

        _ = conditionKeys;
        var decision = await authorizer.AuthorizeAsync(caller, action, [resource], s3.Aborted).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            throw S3Errors.AccessDenied($"{caller.Principal} is not authorized to perform {action} on {resource}: {decision.Reason}.");
        }
    }
}
