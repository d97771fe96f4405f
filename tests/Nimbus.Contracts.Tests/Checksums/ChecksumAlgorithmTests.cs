using System.Text;
using Nimbus.Contracts.Checksums;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Checksums;

public sealed class ChecksumAlgorithmTests
{
    // Values S3 returns for these bodies (as published in S3-compatible test suites run against AWS).
    [Theory]
    [InlineData("abcdefg", ChecksumAlgorithm.Crc32, "MSpqpg==")]
    [InlineData("abcdefg", ChecksumAlgorithm.Crc32C, "5if0QQ==")]
    [InlineData("abcdefg", ChecksumAlgorithm.Crc64Nvme, "SmzZ/LTp1CA=")]
    [InlineData("abcdefg", ChecksumAlgorithm.Sha1, "L7XhNBn8iSRoZeejJPR27GJOh0A=")]
    [InlineData("abcdefg", ChecksumAlgorithm.Sha256, "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=")]
    [InlineData("dummy data", ChecksumAlgorithm.Crc32, "QWaN2w==")]
    [InlineData("dummy data", ChecksumAlgorithm.Crc32C, "R/I7iQ==")]
    [InlineData("dummy data", ChecksumAlgorithm.Crc64Nvme, "dPVWc2vU1+Q=")]
    [InlineData("dummy data", ChecksumAlgorithm.Sha1, "YR/1TvTYOJz5gtqVFoBJBtmTibY=")]
    [InlineData("dummy data", ChecksumAlgorithm.Sha256, "eXuwq/95jXIAr3aF3KeQHt/8Ur8mUA1b2XKCZY7iQVI=")]
    [InlineData("hello", ChecksumAlgorithm.Crc64Nvme, "M3eFcAZSQlc=")]
    [InlineData("hello world", ChecksumAlgorithm.Crc64Nvme, "jSnVw/bqjr4=")]
    [InlineData("", ChecksumAlgorithm.Crc32, "AAAAAA==")]
    [InlineData("", ChecksumAlgorithm.Crc64Nvme, "AAAAAAAAAAA=")]
    [InlineData("", ChecksumAlgorithm.Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public void Known_S3_checksum_values(string body, ChecksumAlgorithm algorithm, string expected)
    {
        ChecksumAlgorithms.ComputeValue(algorithm, Encoding.ASCII.GetBytes(body)).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Incremental_checksum_in_pieces_equals_one_shot_and_resets(ChecksumAlgorithm algorithm)
    {
        byte[] data = new byte[70_001];
        new Random((int)algorithm).NextBytes(data);
        using IncrementalChecksum checksum = IncrementalChecksum.Create(algorithm);

        checksum.Append(data.AsSpan(0, 3));
        checksum.Append(data.AsSpan(3, 40_000));
        checksum.GetBase64().ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, data.AsSpan(0, 40_003)));
        checksum.Append(data.AsSpan(40_003));

        checksum.GetBase64().ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, data));
        checksum.Length.ShouldBe(data.Length);
        checksum.HashLengthInBytes.ShouldBe(ChecksumAlgorithms.GetHashSize(algorithm));
        checksum.Matches(checksum.GetCurrentHash()).ShouldBeTrue();
        checksum.Reset();
        checksum.Length.ShouldBe(0);
        checksum.GetBase64().ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, []));
    }

    [Theory]
    [InlineData("CRC32", ChecksumAlgorithm.Crc32)]
    [InlineData("crc32c", ChecksumAlgorithm.Crc32C)]
    [InlineData(" CRC64NVME ", ChecksumAlgorithm.Crc64Nvme)]
    [InlineData("Sha1", ChecksumAlgorithm.Sha1)]
    [InlineData("SHA256", ChecksumAlgorithm.Sha256)]
    public void Algorithm_names_parse_ignoring_case(string name, ChecksumAlgorithm expected)
    {
        ChecksumAlgorithms.TryParse(name, out ChecksumAlgorithm algorithm).ShouldBeTrue();
        algorithm.ShouldBe(expected);
        ChecksumAlgorithms.TryParse(ChecksumAlgorithms.GetName(expected), out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MD5")]
    [InlineData("CRC64")]
    [InlineData("CRC32CC")]
    public void Unknown_algorithm_names_do_not_parse(string? name)
    {
        ChecksumAlgorithms.TryParse(name, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32", true, ChecksumAlgorithm.Crc32)]
    [InlineData("X-Amz-Checksum-CRC64NVME", true, ChecksumAlgorithm.Crc64Nvme)]
    [InlineData("x-amz-checksum-sha256", true, ChecksumAlgorithm.Sha256)]
    [InlineData("x-amz-checksum-type", false, default(ChecksumAlgorithm))]
    [InlineData("x-amz-checksum-algorithm", false, default(ChecksumAlgorithm))]
    [InlineData("x-amz-checksum-mode", false, default(ChecksumAlgorithm))]
    [InlineData("x-amz-checksum-", false, default(ChecksumAlgorithm))]
    [InlineData("content-md5", false, default(ChecksumAlgorithm))]
    public void Header_names_parse_to_their_algorithm(string header, bool ok, ChecksumAlgorithm expected)
    {
        ChecksumAlgorithms.TryParseHeaderName(header, out ChecksumAlgorithm algorithm).ShouldBe(ok);
        if (ok)
        {
            algorithm.ShouldBe(expected);
            ChecksumAlgorithms.GetHeaderName(expected).ShouldBe(header.ToLowerInvariant());
        }
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "MSpqpg==", true)]
    [InlineData(ChecksumAlgorithm.Crc32, " MSpqpg== ", true)]
    [InlineData(ChecksumAlgorithm.Crc32, "MSpqpg", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "MSpqpgAA", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "SmzZ/LTp1CA=", false)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "SmzZ/LTp1CA=", true)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "invalid_checksum", false)]
    [InlineData(ChecksumAlgorithm.Sha256, "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=", true)]
    [InlineData(ChecksumAlgorithm.Sha256, "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=-2", false)]
    [InlineData(ChecksumAlgorithm.Sha1, "", false)]
    public void Values_decode_only_when_they_are_exactly_one_digest(ChecksumAlgorithm algorithm, string value, bool ok)
    {
        Span<byte> digest = stackalloc byte[32];
        ChecksumAlgorithms.TryDecodeValue(algorithm, value, digest).ShouldBe(ok);
    }

    [Fact]
    public void Checksum_types_follow_the_S3_support_matrix()
    {
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Crc64Nvme, ChecksumType.Composite).ShouldBeFalse();
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Crc64Nvme, ChecksumType.FullObject).ShouldBeTrue();
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Crc32, ChecksumType.Composite).ShouldBeTrue();
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Crc32C, ChecksumType.FullObject).ShouldBeTrue();
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Sha256, ChecksumType.FullObject).ShouldBeFalse();
        ChecksumAlgorithms.Supports(ChecksumAlgorithm.Sha1, ChecksumType.Composite).ShouldBeTrue();
        ChecksumAlgorithms.GetDefaultType(ChecksumAlgorithm.Crc64Nvme).ShouldBe(ChecksumType.FullObject);
        ChecksumAlgorithms.GetDefaultType(ChecksumAlgorithm.Crc32).ShouldBe(ChecksumType.Composite);
        ChecksumAlgorithms.TryParseType("full_object", out ChecksumType type).ShouldBeTrue();
        type.ShouldBe(ChecksumType.FullObject);
        ChecksumAlgorithms.TryParseType("COMPOSITE", out type).ShouldBeTrue();
        type.ShouldBe(ChecksumType.Composite);
        ChecksumAlgorithms.TryParseType("FULL", out _).ShouldBeFalse();
    }

    public static TheoryData<ChecksumAlgorithm> Algorithms() => new(ChecksumAlgorithms.All);
}
