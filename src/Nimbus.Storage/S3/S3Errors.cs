using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Storage.S3;

/// <summary>
/// S3's own error codes and their statuses (the names clients switch on). Thrown as
/// <see cref="NimbusException"/> with the S3 code; the S3 edge writes them as S3 XML, and platform codes
/// (authentication, quotas, validation) are translated there too.
/// </summary>
internal static class S3Errors
{
    public static NimbusException NoSuchBucket(string bucket) => new("NoSuchBucket", 404, $"The specified bucket '{bucket}' does not exist.");

    public static NimbusException NoSuchKey() => new("NoSuchKey", 404, "The specified key does not exist.");

    public static NimbusException NoSuchVersion() => new("NoSuchVersion", 404, "The specified version does not exist.");

    /// <summary>GET/HEAD of a key whose current version is a delete marker (404), or of a delete marker by its version id (405).</summary>
    public static NimbusException DeleteMarker(string versionId, bool byVersion) =>
        new(byVersion ? "MethodNotAllowed" : "NoSuchKey", byVersion ? 405 : 404, byVersion ? "The specified method is not allowed against this resource: the version is a delete marker." : "The specified key does not exist.")
        {
            Headers = new Dictionary<string, string> { ["x-amz-delete-marker"] = "true", ["x-amz-version-id"] = versionId },
        };

    public static NimbusException NoSuchUpload() => new("NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

    public static NimbusException BucketNotEmpty(string bucket) => new("BucketNotEmpty", 409, $"The bucket '{bucket}' you tried to delete is not empty.");

    public static NimbusException BucketAlreadyExists(string bucket) => new("BucketAlreadyExists", 409, $"The requested bucket name '{bucket}' is not available. The bucket namespace is shared by all users of the system. Select a different name and try again.");

    public static NimbusException BucketAlreadyOwnedByYou(string bucket) => new("BucketAlreadyOwnedByYou", 409, $"Your previous request to create the named bucket '{bucket}' succeeded and you already own it.");

    public static NimbusException InvalidBucketName(string bucket, string why) => new("InvalidBucketName", 400, $"The specified bucket '{bucket}' is not valid: {why}.");

    public static NimbusException KeyTooLong() => new("KeyTooLongError", 400, "Your key is too long: at most 1024 bytes of UTF-8.");

    public static NimbusException InvalidArgument(string message) => new("InvalidArgument", 400, message);

    public static NimbusException InvalidRequest(string message) => new("InvalidRequest", 400, message);

    public static NimbusException MalformedXml(string message) => new("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema: " + message);

    public static NimbusException InvalidRange(long size) => new("InvalidRange", 416, $"The requested range is not satisfiable (the object has {size} bytes).")
    {
        Headers = new Dictionary<string, string> { ["Content-Range"] = "bytes */" + size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    public static NimbusException PreconditionFailed(string condition) => new("PreconditionFailed", 412, $"At least one of the pre-conditions you specified did not hold ({condition}).");

    public static NimbusException BadDigest() => new("BadDigest", 400, "The Content-MD5 you specified did not match what we received.");

    public static NimbusException InvalidDigest() => new("InvalidDigest", 400, "The Content-MD5 you specified is not valid.");

    public static NimbusException Sha256Mismatch() => new("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");

    public static NimbusException MissingContentLength() => new("MissingContentLength", 411, "You must provide the Content-Length HTTP header.");

    public static NimbusException IncompleteBody() => new("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.");

    public static NimbusException EntityTooLarge(long max) => new("EntityTooLarge", 400, $"Your proposed upload exceeds the maximum allowed size of {max} bytes.");

    public static NimbusException EntityTooSmall() => new("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size: every part but the last must be at least 5 MiB.");

    public static NimbusException InvalidPart(string why) => new("InvalidPart", 400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag: " + why);

    public static NimbusException InvalidPartOrder() => new("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.");

    public static NimbusException AccessControlListNotSupported() => new("AccessControlListNotSupported", 400, "The bucket does not allow ACLs: access is granted by IAM and bucket policies.");

    public static NimbusException NotImplemented(string what) => new("NotImplemented", 501, $"{what} is not implemented by this server.");

    public static NimbusException MethodNotAllowed(string method) => new("MethodNotAllowed", 405, $"The specified method {method} is not allowed against this resource.");

    public static NimbusException AccessDenied(string message = "Access Denied") => new(ErrorCodes.AccessDenied, 403, message);

    /// <summary>
    /// A read of an object whose stored data failed its integrity check. S3 has no code for this (its own data
    /// is repaired from replicas); a 500 <c>InternalError</c> would be retried by every S3 client (AWS SDKs retry
    /// any 500, 502, 503 and 504) and fail the same way each time. <c>InvalidObjectState</c> (403) is the S3 code
    /// clients already know for "this object exists but cannot be read in its current state" (S3 answers it for
    /// archived objects) and no client retries it.
    /// </summary>
    public static NimbusException ObjectCorrupt() => new("InvalidObjectState", 403, "The object's stored data failed its integrity check (corrupt on disk); it cannot be read. The operator has been told (see the storage scrubber status); delete or overwrite the object.");

    public static NimbusException NoSuchTagSet() => new("NoSuchTagSet", 404, "The TagSet does not exist.");

    public static NimbusException NoSuchBucketPolicy() => new("NoSuchBucketPolicy", 404, "The bucket policy does not exist.");

    public static NimbusException NoSuchCorsConfiguration() => new("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist.");

    public static NimbusException NoSuchLifecycleConfiguration() => new("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist.");

    public static NimbusException InvalidTag(string message) => new("InvalidTag", 400, message);

    public static NimbusException MalformedPolicy(string message) => new("MalformedPolicy", 400, message);
}
