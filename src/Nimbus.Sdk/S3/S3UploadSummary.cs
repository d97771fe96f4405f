namespace Nimbus.Sdk.S3;

/// <summary>A multipart upload in progress, as ListMultipartUploads returns it.</summary>
/// <param name="Key">The key the upload will create.</param>
/// <param name="UploadId">The upload's id.</param>
public sealed record S3UploadSummary(string Key, string UploadId);
