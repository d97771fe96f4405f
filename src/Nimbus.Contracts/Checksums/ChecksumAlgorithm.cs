namespace Nimbus.Contracts.Checksums;

/// <summary>
/// The additional checksums S3 accepts, stores and returns (<c>x-amz-checksum-*</c>). Their wire names are
/// the upper-case forms (<see cref="ChecksumAlgorithms.GetName(ChecksumAlgorithm)"/>); values travel as base64 of the big-endian
/// digest.
/// </summary>
public enum ChecksumAlgorithm
{
    /// <summary>CRC-32 (ISO-HDLC, the zlib/Ethernet one); 4 bytes. S3 name <c>CRC32</c>.</summary>
    Crc32 = 1,

    /// <summary>CRC-32C (Castagnoli, iSCSI); 4 bytes. S3 name <c>CRC32C</c>.</summary>
    Crc32C = 2,

    /// <summary>CRC-64/NVME; 8 bytes. S3 name <c>CRC64NVME</c>, the default of current AWS SDKs.</summary>
    Crc64Nvme = 3,

    /// <summary>SHA-1; 20 bytes. S3 name <c>SHA1</c>.</summary>
    Sha1 = 4,

    /// <summary>SHA-256; 32 bytes. S3 name <c>SHA256</c>.</summary>
    Sha256 = 5,
}
