using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>
/// Random chunk boundaries, read sizes and corruptions. Whatever the input, a decode either succeeds with
/// exactly the payload, or fails with an <see cref="S3PayloadException"/>; and with signed chunks, what was
/// returned before the failure is always a prefix of the payload made of whole verified chunks.
/// </summary>
public sealed class DecodingFuzzTests
{
    private const int Rounds = 100;

    public static TheoryData<AwsChunkedMode> Modes() => new(Enum.GetValues<AwsChunkedMode>());

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Random_chunk_boundaries_and_read_sizes_decode_exactly(AwsChunkedMode mode)
    {
        var random = new Random(1000 + (int)mode);
        for (int round = 0; round < Rounds; round++)
        {
            byte[] payload = RoundTripTests.Payload(random.Next(0, 50_000));
            ChecksumAlgorithm? trailer = AwsChunkedPayload.HasTrailer(mode) && random.Next(4) > 0 ? ChecksumAlgorithms.All[random.Next(5)] : null;
            byte[] body = ChunkedBody.Build(mode, payload, RandomSizes(random), trailer);
            using var decoder = new AwsChunkedDecodingStream(
                new TrickleStream(body, round, random.Next(1, 3) == 1 ? 7 : 70_000), ChunkedBody.Options(mode, payload.Length, trailer));

            byte[] decoded = await ReadRandomlyAsync(decoder, random);

            decoded.ShouldBe(payload, $"round {round}");
            decoder.IsCompleted.ShouldBeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Every_single_byte_corruption_fails_cleanly_or_changes_nothing(AwsChunkedMode mode)
    {
        var random = new Random(2000 + (int)mode);
        for (int round = 0; round < Rounds; round++)
        {
            byte[] payload = RoundTripTests.Payload(random.Next(1, 30_000));

            // The unsigned mode can only notice altered data through its checksum: always send one there.
            ChecksumAlgorithm? trailer = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithms.All[random.Next(5)] : null;
            int[] sizes = RandomSizes(random);
            byte[] body = ChunkedBody.Build(mode, payload, sizes, trailer);
            int position = random.Next(body.Length);
            body[position] ^= (byte)(1 << random.Next(8));

            await AssertCleanOutcomeAsync(mode, payload, body, trailer, random, $"round {round}, byte {position}");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Truncation_anywhere_is_IncompleteBody(AwsChunkedMode mode)
    {
        byte[] payload = RoundTripTests.Payload(3000);
        ChecksumAlgorithm? trailer = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithm.Crc32C : null;
        byte[] body = ChunkedBody.Build(mode, payload, [1000, 1000], trailer);
        for (int length = 0; length < body.Length; length++)
        {
            using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body, 0, length), ChunkedBody.Options(mode, payload.Length, trailer));

            S3PayloadException error = await Should.ThrowAsync<S3PayloadException>(() => AwsExampleTests.ReadAllAsync(decoder), $"cut at {length}");

            error.Code.ShouldBe(S3ErrorCodes.IncompleteBody, $"cut at {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Random_garbage_and_spliced_bodies_fail_only_with_S3_errors(AwsChunkedMode mode)
    {
        var random = new Random(3000 + (int)mode);
        for (int round = 0; round < Rounds; round++)
        {
            byte[] payload = RoundTripTests.Payload(random.Next(0, 20_000));
            ChecksumAlgorithm? trailer = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithm.Crc64Nvme : null;
            byte[] body = ChunkedBody.Build(mode, payload, RandomSizes(random), trailer);
            byte[] mangled = random.Next(3) switch
            {
                0 => RandomBytes(random, random.Next(0, 300)),
                1 => [.. body.AsSpan(0, random.Next(body.Length)), .. RandomBytes(random, random.Next(1, 100)), .. body.AsSpan(random.Next(body.Length))],
                _ => [.. body, .. body],
            };

            await AssertCleanOutcomeAsync(mode, payload, mangled, trailer, random, $"round {round}");
        }
    }

    private static async Task AssertCleanOutcomeAsync(
        AwsChunkedMode mode, byte[] payload, byte[] body, ChecksumAlgorithm? trailer, Random random, string because)
    {
        using var decoder = new AwsChunkedDecodingStream(new TrickleStream(body, random.Next(), 9000), ChunkedBody.Options(mode, payload.Length, trailer));
        var output = new MemoryStream();
        byte[] buffer = new byte[random.Next(1, 20_000)];
        try
        {
            int read;
            while ((read = await decoder.ReadAsync(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
            }

            output.ToArray().ShouldBe(payload, because);
        }
        catch (S3PayloadException)
        {
            decoder.IsCompleted.ShouldBeFalse(because);
            if (AwsChunkedPayload.IsSigned(mode))
            {
                // Nothing unverified escaped: a prefix of the payload, cut at a chunk boundary.
                byte[] returned = output.ToArray();
                returned.ShouldBe(payload.AsSpan(0, returned.Length).ToArray(), because);
            }
        }
    }

    private static int[] RandomSizes(Random random)
    {
        int count = random.Next(0, 12);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = random.Next(3) == 0 ? random.Next(1, 20) : random.Next(1, 9000);
        }

        return sizes;
    }

    private static async Task<byte[]> ReadRandomlyAsync(Stream stream, Random random)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[70_000];
        while (true)
        {
            int want = random.Next(3) == 0 ? random.Next(1, 10) : random.Next(1, buffer.Length);
            int read = random.Next(2) == 0
                ? await stream.ReadAsync(buffer.AsMemory(0, want))
                : stream.Read(buffer, 0, want);
            if (read == 0)
            {
                return output.ToArray();
            }

            output.Write(buffer, 0, read);
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
