using Microsoft.AspNetCore.Http;

namespace Nimbus.Storage.S3;

/// <summary>Raw dispatch of an S3 request on its method, whether it names a bucket and a key, and its sub-resource query.</summary>
internal static class S3Dispatcher
{
    private static readonly string[] UnsupportedBucketResources =
        ["accelerate", "analytics", "encryption", "intelligent-tiering", "inventory", "logging", "metrics", "notification", "object-lock", "ownershipControls", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "website", "replication"];

    public static Task DispatchAsync(S3Context s3)
    {
        var r = s3.Request;
        var method = s3.Method;
        if (r.Bucket is null)
        {
            return HttpMethods.IsGet(method) ? BucketHandlers.ListBucketsAsync(s3) : throw S3Errors.MethodNotAllowed(method);
        }

        if (r.KeyBytes is null)
        {
            foreach (var unsupported in UnsupportedBucketResources)
            {
                if (r.Has(unsupported))
                {
                    throw S3Errors.NotImplemented($"The bucket sub-resource '{unsupported}'");
                }
            }

            if (HttpMethods.IsGet(method))
            {
                return r.Has("location") ? BucketHandlers.GetLocationAsync(s3)
                    : r.Has("uploads") ? MultipartHandlers.ListUploadsAsync(s3)
                    : r.Has("versioning") ? BucketHandlers.GetVersioningAsync(s3)
                    : r.Has("acl") ? BucketHandlers.GetAclAsync(s3)
                    : r.Has("tagging") ? BucketConfigHandlers.GetTaggingAsync(s3)
                    : r.Has("policy") ? BucketConfigHandlers.GetPolicyAsync(s3)
                    : r.Has("cors") ? BucketConfigHandlers.GetCorsAsync(s3)
                    : r.Has("versions") ? VersioningHandlers.ListVersionsAsync(s3)
                    : r.Has("lifecycle") ? BucketConfigHandlers.GetLifecycleAsync(s3)
                    : r.Query("list-type") == "2" ? ListHandlers.ListObjectsV2Async(s3)
                    : ListHandlers.ListObjectsV1Async(s3);
            }

            if (HttpMethods.IsPut(method))
            {
                return r.Has("tagging") ? BucketConfigHandlers.PutTaggingAsync(s3)
                    : r.Has("policy") ? BucketConfigHandlers.PutPolicyAsync(s3)
                    : r.Has("cors") ? BucketConfigHandlers.PutCorsAsync(s3)
                    : r.Has("versioning") ? VersioningHandlers.PutVersioningAsync(s3)
                    : r.Has("lifecycle") ? BucketConfigHandlers.PutLifecycleAsync(s3)
                    : r.Has("acl") ? BucketHandlers.PutAclAsync(s3)
                    : BucketHandlers.CreateBucketAsync(s3);
            }

            if (HttpMethods.IsHead(method))
            {
                return BucketHandlers.HeadBucketAsync(s3);
            }

            if (HttpMethods.IsDelete(method))
            {
                return r.Has("tagging") ? BucketConfigHandlers.DeleteTaggingAsync(s3)
                    : r.Has("policy") ? BucketConfigHandlers.DeletePolicyAsync(s3)
                    : r.Has("cors") ? BucketConfigHandlers.DeleteCorsAsync(s3)
                    : r.Has("lifecycle") ? BucketConfigHandlers.DeleteLifecycleAsync(s3)
                    : BucketHandlers.DeleteBucketAsync(s3);
            }

            if (HttpMethods.IsPost(method) && r.Has("delete"))
            {
                return ObjectHandlers.DeleteObjectsAsync(s3);
            }

            throw S3Errors.MethodNotAllowed(method);
        }

        if (HttpMethods.IsGet(method))
        {
            return r.Has("uploadId") ? MultipartHandlers.ListPartsAsync(s3)
                : r.Has("tagging") ? ObjectTaggingHandlers.GetAsync(s3)
                : r.Has("acl") ? ObjectAclHandlers.GetAsync(s3)
                : r.Has("attributes") ? ObjectAttributesHandlers.GetAsync(s3)
                : r.Has("torrent") || r.Has("retention") || r.Has("legal-hold") ? throw S3Errors.NotImplemented("This object sub-resource")
                : ObjectHandlers.GetObjectAsync(s3, head: false);
        }

        if (HttpMethods.IsHead(method))
        {
            return ObjectHandlers.GetObjectAsync(s3, head: true);
        }

        if (HttpMethods.IsPut(method))
        {
            if (r.Has("tagging"))
            {
                return ObjectTaggingHandlers.PutAsync(s3);
            }

            if (r.Has("acl"))
            {
                return ObjectAclHandlers.PutAsync(s3);
            }

            if (r.Has("retention") || r.Has("legal-hold"))
            {
                throw S3Errors.NotImplemented("This object sub-resource");
            }

            var copy = s3.Headers.ContainsKey("x-amz-copy-source");
            if (r.Has("uploadId") || r.Has("partNumber"))
            {
                return copy ? MultipartHandlers.UploadPartCopyAsync(s3) : MultipartHandlers.UploadPartAsync(s3);
            }

            return copy ? ObjectHandlers.CopyObjectAsync(s3) : ObjectHandlers.PutObjectAsync(s3);
        }

        if (HttpMethods.IsDelete(method))
        {
            return r.Has("uploadId") ? MultipartHandlers.AbortAsync(s3)
                : r.Has("tagging") ? ObjectTaggingHandlers.DeleteAsync(s3)
                : ObjectHandlers.DeleteObjectAsync(s3);
        }

        if (HttpMethods.IsPost(method))
        {
            return r.Has("uploads") ? MultipartHandlers.CreateAsync(s3)
                : r.Has("uploadId") ? MultipartHandlers.CompleteAsync(s3)
                : throw S3Errors.MethodNotAllowed(method);
        }

        throw S3Errors.MethodNotAllowed(method);
    }
}
