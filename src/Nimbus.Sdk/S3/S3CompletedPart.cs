namespace Nimbus.Sdk.S3;

/// <summary>An uploaded part, as CompleteMultipartUpload lists it.</summary>
/// <param name="PartNumber">1 to 10,000.</param>
/// <param name="ETag">The ETag UploadPart answered, quoted.</param>
public sealed record S3CompletedPart(int PartNumber, string ETag);
