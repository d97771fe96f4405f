using System.Text.Json.Serialization;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The HTTP representation headers and user metadata stored with an object and returned on GET/HEAD.
/// Null members were not set by the uploader.
/// </summary>
internal sealed record ObjectMeta
{
    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentLanguage { get; init; }

    public string? CacheControl { get; init; }

    public string? Expires { get; init; }

    /// <summary><c>x-amz-meta-*</c> pairs; names lower-case without the prefix.</summary>
    public SortedDictionary<string, string>? User { get; init; }

    /// <summary>Tags (<c>x-amz-tagging</c> or PutObjectTagging).</summary>
    public SortedDictionary<string, string>? Tags { get; init; }

    public static ObjectMeta Empty { get; } = new();
}

/// <summary>Source-generated JSON for what the engine stores in its index.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ObjectMeta))]
internal sealed partial class StorageJsonContext : JsonSerializerContext
{
}

/// <summary>One version of an object (or a delete marker) as the index holds it.</summary>
internal sealed record ObjectRecord
{
    /// <summary>The version id of the null version (objects of buckets never versioned, or written while suspended).</summary>
    public const string NullVersion = "null";

    public required string Bucket { get; init; }

    public required byte[] Key { get; init; }

    public required long Size { get; init; }

    /// <summary>Quoted: <c>"md5hex"</c> or <c>"md5-of-md5s-N"</c>.</summary>
    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public required ObjectMeta Meta { get; init; }

    public required Segment[] Segments { get; init; }

    /// <summary>Number of parts for a multipart object; 0 for a single PUT.</summary>
    public int PartCount { get; init; }

    /// <summary>True once a read or the scrubber found a block whose checksum does not match.</summary>
    public bool Corrupt { get; init; }

    /// <summary>The object's additional checksum (<c>x-amz-checksum-*</c>); null for objects stored without one.</summary>
    public ObjectChecksum? Checksum { get; init; }

    /// <summary>
    /// The checksum of each part of a multipart object (null entries for parts stored without one), what a GET of
    /// <c>?partNumber=N</c> returns; null for single PUTs and when not loaded (the hot GET path does not read it:
    /// <see cref="IndexReader.GetPartChecksums"/>).
    /// </summary>
    public ObjectChecksum?[]? PartChecksums { get; init; }

    /// <summary>Version id; <see cref="NullVersion"/> for the null version.</summary>
    public string VersionId { get; init; } = NullVersion;

    /// <summary>True for the key's current version.</summary>
    public bool IsLatest { get; init; } = true;

    /// <summary>True for a delete marker (no data; GET answers as if the key were absent).</summary>
    public bool IsDeleteMarker { get; init; }
}

/// <summary>How a bucket keeps versions: never versioned, Enabled or Suspended.</summary>
internal enum VersioningState
{
    Unversioned,
    Enabled,
    Suspended,
}

/// <summary>What a delete did: the version it removed or the delete marker it created.</summary>
internal readonly record struct DeleteOutcome(string? VersionId, bool DeleteMarker);

/// <summary>One entry of a listing: what ListObjects returns per key.</summary>
internal readonly record struct ListedObject(byte[] Key, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>One entry of a version listing: what ListObjectVersions returns per version or delete marker.</summary>
internal readonly record struct ListedVersion(long Row, byte[] Key, string VersionId, bool IsLatest, bool IsDeleteMarker, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>A multipart upload in progress.</summary>
internal sealed record UploadRecord
{
    public required string UploadId { get; init; }

    public required string Bucket { get; init; }

    public required byte[] Key { get; init; }

    public required DateTimeOffset Initiated { get; init; }

    public required ObjectMeta Meta { get; init; }

    /// <summary>NRN of the principal that created the upload.</summary>
    public required string Initiator { get; init; }

    /// <summary>The checksum algorithm and type declared at creation (empty value); null when none.</summary>
    public ObjectChecksum? Checksum { get; init; }
}

/// <summary>An uploaded part of a multipart upload.</summary>
internal sealed record PartRecord
{
    public required int PartNumber { get; init; }

    public required long Size { get; init; }

    /// <summary>Quoted MD5 of the part.</summary>
    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public required Segment Segment { get; init; }

    /// <summary>The part's checksum; null for parts stored without one.</summary>
    public ObjectChecksum? Checksum { get; init; }
}

/// <summary>A part as CompleteMultipartUpload lists it: number, ETag and, optionally, its checksum value.</summary>
internal readonly record struct CompletedPart(int PartNumber, string ETag, string? Checksum);
