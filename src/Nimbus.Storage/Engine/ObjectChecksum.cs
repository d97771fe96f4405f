using Nimbus.Contracts.Checksums;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The additional checksum stored with an object, a part, or declared by a multipart upload (then
/// <see cref="Value"/> is empty): what S3 returns in <c>x-amz-checksum-*</c> and <c>x-amz-checksum-type</c>.
/// Stored in the index as <c>ALGORITHM:TYPE:value</c>.
/// </summary>
internal readonly record struct ObjectChecksum(ChecksumAlgorithm Algorithm, ChecksumType Type, string Value)
{
    public string HeaderName => ChecksumAlgorithms.GetHeaderName(Algorithm);

    /// <summary>The element name of the value in S3 XML answers: <c>ChecksumCRC32</c> ...</summary>
    public string ElementName => "Checksum" + ChecksumAlgorithms.GetName(Algorithm);

    public string TypeName => ChecksumAlgorithms.GetName(Type);

    public static string? Encode(ObjectChecksum? checksum) =>
        checksum is { } c ? ChecksumAlgorithms.GetName(c.Algorithm) + ":" + ChecksumAlgorithms.GetName(c.Type) + ":" + c.Value : null;

    public static ObjectChecksum? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split(':', 3);
        return parts.Length == 3 && ChecksumAlgorithms.TryParse(parts[0], out var algorithm) && ChecksumAlgorithms.TryParseType(parts[1], out var type)
            ? new ObjectChecksum(algorithm, type, parts[2])
            : null;
    }

    /// <summary>Several checksums (a multipart object's parts) one per line, an empty line for none; null for a null or empty list.</summary>
    public static string? EncodeList(IReadOnlyList<ObjectChecksum?>? checksums) =>
        checksums is { Count: > 0 } list ? string.Join('\n', list.Select(Encode)) : null;

    public static ObjectChecksum?[] DecodeList(string text) => [.. text.Split('\n').Select(Decode)];
}
