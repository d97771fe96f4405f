using System.Security.Cryptography;
using Nimbus.Storage.Engine.Md5;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// The multi-lane MD5 behind every ETag: the digest equals the platform's MD5 for any length and any split of the
/// bytes into pieces, with many messages hashed side by side.
/// </summary>
public sealed class Md5HasherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(119)]
    [InlineData(120)]
    [InlineData(128)]
    [InlineData(100_000)]
    [InlineData(1 << 20)]
    public async Task The_digest_equals_MD5_for_every_length(int length)
    {
        var data = RandomNumberGenerator.GetBytes(length);

        // Alone, a stream is hashed by the platform's MD5; with another in flight, in a lane.
        foreach (var inline in new[] { false, true })
        {
            using var alone = Md5Hasher.Shared.CreateStream(inlineWhenAlone: inline);
            await alone.AppendAsync(data);
            alone.Finish().ShouldBe(MD5Digest(data));
        }

        using var other = Md5Hasher.Shared.CreateStream();
        using var inLane = Md5Hasher.Shared.CreateStream();
        inLane.Solo.ShouldBeNull();
        await inLane.AppendAsync(data);
        inLane.Finish().ShouldBe(MD5Digest(data));
    }

    [Fact]
    public void The_digest_of_nothing_is_the_known_value()
    {
        using var stream = Md5Hasher.Shared.CreateStream();
        Convert.ToHexStringLower(stream.Finish()).ShouldBe("d41d8cd98f00b204e9800998ecf8427e");
    }

    [Fact]
    public async Task Many_messages_split_at_odd_places_hash_side_by_side()
    {
        var random = new Random(4);
        var messages = Enumerable.Range(0, 40).Select(i => RandomNumberGenerator.GetBytes(random.Next(0, 3 << 20))).ToArray();
        var cuts = messages.Select(m => Cuts(random, m.Length)).ToArray();
        var digests = await Task.WhenAll(messages.Select(async (message, i) =>
        {
            using var stream = Md5Hasher.Shared.CreateStream();
            var pending = new List<Task>();
            var start = 0;
            foreach (var cut in cuts[i])
            {
                // Appends queue in order without waiting for each other, as an upload's pieces do.
                pending.Add(stream.AppendAsync(message.AsMemory(start, cut - start)));
                start = cut;
            }

            await Task.WhenAll(pending);
            return stream.Finish();
        }));
        for (var i = 0; i < messages.Length; i++)
        {
            digests[i].ShouldBe(MD5Digest(messages[i]), $"message {i} of {messages[i].Length} bytes");
        }
    }

    private static List<int> Cuts(Random random, int length)
    {
        var cuts = new List<int>();
        var at = 0;
        while (at < length)
        {
            at = Math.Min(length, at + random.Next(1, random.Next(2) == 0 ? 200 : 400_000));
            cuts.Add(at);
        }

        return cuts;
    }

#pragma warning disable CA5351 // the reference implementation of S3's ETag, not a security measure
    private static byte[] MD5Digest(byte[] data) => MD5.HashData(data);
#pragma warning restore CA5351
}
