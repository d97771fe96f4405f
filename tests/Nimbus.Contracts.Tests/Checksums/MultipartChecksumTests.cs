using Nimbus.Contracts.Checksums;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Checksums;

public sealed class MultipartChecksumTests
{
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme)]
    public void Full_object_checksum_from_parts_equals_the_checksum_of_the_whole(ChecksumAlgorithm algorithm)
    {
        var random = new Random((int)algorithm);
        byte[] data = new byte[300_000];
        random.NextBytes(data);
        int[] sizes = [100_000, 1, 0, 77_777, 122_222];
        using var multipart = new MultipartChecksum(algorithm, ChecksumType.FullObject);
        int offset = 0;
        foreach (int size in sizes)
        {
            multipart.TryAddPart(ChecksumAlgorithms.ComputeValue(algorithm, data.AsSpan(offset, size)), size).ShouldBeTrue();
            offset += size;
        }

        multipart.GetValue().ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, data));
        multipart.PartCount.ShouldBe(sizes.Length);
        multipart.Length.ShouldBe(data.Length);
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public void Composite_checksum_is_the_checksum_of_the_part_digests_with_the_part_count(ChecksumAlgorithm algorithm)
    {
        byte[][] parts = [[1, 2, 3], new byte[5000], "last part"u8.ToArray()];
        using var multipart = new MultipartChecksum(algorithm, ChecksumType.Composite);
        using IncrementalChecksum expected = IncrementalChecksum.Create(algorithm);
        foreach (byte[] part in parts)
        {
            using IncrementalChecksum partChecksum = IncrementalChecksum.Create(algorithm);
            partChecksum.Append(part);
            byte[] digest = partChecksum.GetCurrentHash();
            multipart.AddPart(digest, part.Length);
            expected.Append(digest);
        }

        multipart.GetValue().ShouldBe(expected.GetBase64() + "-3");
        MultipartChecksum.TrySplitComposite(multipart.GetValue(), out ReadOnlySpan<char> checksum, out int count).ShouldBeTrue();
        count.ShouldBe(3);
        checksum.ToString().ShouldBe(expected.GetBase64());
    }

    [Fact]
    public void Composite_crc32_of_two_known_parts()
    {
        // Parts "abcdefg" (MSpqpg==) and "dummy data" (QWaN2w==): CRC32 over the 8 digest bytes.
        using var multipart = new MultipartChecksum(ChecksumAlgorithm.Crc32, ChecksumType.Composite);
        multipart.TryAddPart("MSpqpg==", 7).ShouldBeTrue();
        multipart.TryAddPart("QWaN2w==", 10).ShouldBeTrue();

        byte[] concatenated = [.. Convert.FromBase64String("MSpqpg=="), .. Convert.FromBase64String("QWaN2w==")];
        multipart.GetValue().ShouldBe(ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, concatenated) + "-2");
    }

    [Fact]
    public void Unsupported_combinations_and_bad_parts_are_refused()
    {
        Should.Throw<ArgumentException>(() => new MultipartChecksum(ChecksumAlgorithm.Crc64Nvme, ChecksumType.Composite));
        Should.Throw<ArgumentException>(() => new MultipartChecksum(ChecksumAlgorithm.Sha256, ChecksumType.FullObject));
        using var multipart = new MultipartChecksum(ChecksumAlgorithm.Crc32, ChecksumType.FullObject);
        multipart.TryAddPart("not base64!", 3).ShouldBeFalse();
        multipart.TryAddPart("SmzZ/LTp1CA=", 3).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => multipart.AddPart(new byte[8], 3));
        multipart.PartCount.ShouldBe(0);
    }

    [Theory]
    [InlineData("abc-1", true, 1)]
    [InlineData("abc-10000", true, 10_000)]
    [InlineData("abc-10001", false, 0)]
    [InlineData("abc-0", false, 0)]
    [InlineData("abc", false, 0)]
    [InlineData("-3", false, 0)]
    [InlineData("abc-+3", false, 0)]
    public void Composite_values_split_into_checksum_and_count(string value, bool ok, int parts)
    {
        MultipartChecksum.TrySplitComposite(value, out _, out int count).ShouldBe(ok);
        count.ShouldBe(parts);
    }
}
