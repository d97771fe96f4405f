namespace Nimbus.Contracts.Checksums;

/// <summary>How the checksum of a multipart object is formed (<c>x-amz-checksum-type</c>).</summary>
public enum ChecksumType
{
    /// <summary>
    /// <c>COMPOSITE</c>: the checksum of the concatenated binary part checksums, rendered <c>base64-N</c> for N
    /// parts. Supported by CRC32, CRC32C, SHA1 and SHA256.
    /// </summary>
    Composite = 1,

    /// <summary>
    /// <c>FULL_OBJECT</c>: the checksum of the whole object's bytes, derived from the part checksums with the
    /// CRC combine operation (no second pass over the data). Supported by CRC32, CRC32C and CRC64NVME.
    /// </summary>
    FullObject = 2,
}
