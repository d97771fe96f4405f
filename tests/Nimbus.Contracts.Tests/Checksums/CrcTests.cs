using System.Text;
using Nimbus.Contracts.Checksums;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Checksums;

public sealed class CrcTests
{
    private static readonly byte[] CheckInput = "123456789"u8.ToArray();

    [Fact]
    public void Check_values_of_123456789_are_the_catalogued_ones()
    {
        System.IO.Hashing.Crc32.HashToUInt32(CheckInput).ShouldBe(0xCBF43926u);
        Crc32C.HashToUInt32(CheckInput).ShouldBe(0xE3069283u);
        Crc64Nvme.HashToUInt64(CheckInput).ShouldBe(0xAE8B14860A799888UL);
    }

    [Fact]
    public void Reference_implementation_agrees_with_the_catalogued_check_values()
    {
        ReferenceCrc.Crc32(CheckInput).ShouldBe(0xCBF43926u);
        ReferenceCrc.Crc32C(CheckInput).ShouldBe(0xE3069283u);
        ReferenceCrc.Crc64Nvme(CheckInput).ShouldBe(0xAE8B14860A799888UL);
    }

    [Fact]
    public void Empty_input_has_crc_zero()
    {
        Crc32C.HashToUInt32([]).ShouldBe(0u);
        Crc64Nvme.HashToUInt64([]).ShouldBe(0UL);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(191)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(1000)]
    [InlineData(4097)]
    [InlineData(3 * 8192)]
    [InlineData((3 * 8192) + 5)]
    [InlineData((7 * 8192) + 333)]
    [InlineData(100_003)]
    public void Random_data_matches_the_bitwise_reference(int length)
    {
        byte[] data = RandomBytes(length, seed: length);

        Crc32C.HashToUInt32(data).ShouldBe(ReferenceCrc.Crc32C(data));
        Crc64Nvme.HashToUInt64(data).ShouldBe(ReferenceCrc.Crc64Nvme(data));
        System.IO.Hashing.Crc32.HashToUInt32(data).ShouldBe(ReferenceCrc.Crc32(data));
    }

    [Fact]
    public void Table_path_and_hardware_path_agree_on_every_length_up_to_600()
    {
        byte[] data = RandomBytes(600, seed: 42);
        for (int length = 0; length <= data.Length; length++)
        {
            ReadOnlySpan<byte> slice = data.AsSpan(0, length);
            Crc64Nvme.HashToUInt64(slice).ShouldBe(Crc64Nvme.UpdateTable(0, slice), $"length {length}");
            Crc32C.HashToUInt32(slice).ShouldBe(Crc32C.UpdateTable(0, slice), $"length {length}");
        }
    }

    [Fact]
    public void Wide_folding_path_and_table_path_agree_past_the_folding_threshold()
    {
        // 1024 bytes and up go through the 512-bit folding where the CPU has it: every length of the first
        // 600 past the threshold (every remainder of the 256- and 64-byte loops), a whole block and odd
        // sizes around it, from a zero and a non-zero running CRC.
        byte[] data = RandomBytes((1024 * 1024) + 300, seed: 5);
        var lengths = Enumerable.Range(1000, 600).Concat([4096, 65_536, 1024 * 1024 - 1, 1024 * 1024, (1024 * 1024) + 300]);
        foreach (int length in lengths)
        {
            ReadOnlySpan<byte> slice = data.AsSpan(0, length);
            Crc32C.HashToUInt32(slice).ShouldBe(Crc32C.UpdateTable(0, slice), $"length {length}");
            Crc32C.Append(0x12345678, slice).ShouldBe(Crc32C.UpdateTable(0x12345678, slice), $"length {length}, running crc");
        }

        Crc32C.HashToUInt32(data).ShouldBe(ReferenceCrc.Crc32C(data));
    }

    [Fact]
    public void Data_unaligned_in_memory_gives_the_same_crc()
    {
        byte[] data = RandomBytes(70_000, seed: 7);
        ulong crc64 = Crc64Nvme.HashToUInt64(data.AsSpan(3));
        uint crc32c = Crc32C.HashToUInt32(data.AsSpan(3));

        byte[] copy = data.AsSpan(3).ToArray();
        Crc64Nvme.HashToUInt64(copy).ShouldBe(crc64);
        Crc32C.HashToUInt32(copy).ShouldBe(crc32c);
        crc64.ShouldBe(ReferenceCrc.Crc64Nvme(copy));
    }

    [Fact]
    public void Appending_in_random_pieces_equals_hashing_at_once()
    {
        var random = new Random(11);
        byte[] data = RandomBytes(200_000, seed: 3);
        for (int round = 0; round < 20; round++)
        {
            uint crc32c = 0;
            ulong crc64 = 0;
            int offset = 0;
            while (offset < data.Length)
            {
                int take = Math.Min(data.Length - offset, random.Next(0, 3) switch { 0 => random.Next(0, 17), 1 => random.Next(0, 300), _ => random.Next(0, 40_000) });
                crc32c = Crc32C.Append(crc32c, data.AsSpan(offset, take));
                crc64 = Crc64Nvme.Append(crc64, data.AsSpan(offset, take));
                offset += take;
            }

            crc32c.ShouldBe(Crc32C.HashToUInt32(data));
            crc64.ShouldBe(Crc64Nvme.HashToUInt64(data));
        }
    }

    [Fact]
    public void Combine_of_two_pieces_equals_the_crc_of_the_whole()
    {
        var random = new Random(5);
        byte[] data = RandomBytes(50_000, seed: 9);
        foreach (int split in new[] { 0, 1, 8, 4095, 25_000, 49_999, 50_000 }.Concat(Enumerable.Range(0, 20).Select(_ => random.Next(0, 50_001))))
        {
            ReadOnlySpan<byte> a = data.AsSpan(0, split);
            ReadOnlySpan<byte> b = data.AsSpan(split);

            Crc64Nvme.Combine(Crc64Nvme.HashToUInt64(a), Crc64Nvme.HashToUInt64(b), b.Length).ShouldBe(Crc64Nvme.HashToUInt64(data));
            Crc32C.Combine(Crc32C.HashToUInt32(a), Crc32C.HashToUInt32(b), b.Length).ShouldBe(Crc32C.HashToUInt32(data));
        }
    }

    [Fact]
    public void Combine_by_doubling_equals_hashing_sixteen_mebibytes_of_zeros()
    {
        const int Length = 16 << 20;
        ulong crc64 = Crc64Nvme.HashToUInt64(new byte[4096]);
        uint crc32c = Crc32C.HashToUInt32(new byte[4096]);
        for (long length = 4096; length < Length; length *= 2)
        {
            crc64 = Crc64Nvme.Combine(crc64, crc64, length);
            crc32c = Crc32C.Combine(crc32c, crc32c, length);
        }

        byte[] zeros = new byte[Length];
        crc64.ShouldBe(Crc64Nvme.HashToUInt64(zeros));
        crc32c.ShouldBe(Crc32C.HashToUInt32(zeros));
    }

    [Fact]
    public void Combine_is_associative_for_pieces_of_gigabytes()
    {
        // Parts of a 5 TiB object: lengths far beyond anything hashed here, combined in both groupings.
        ulong a = Crc64Nvme.HashToUInt64("first"u8);
        ulong b = 0x0123456789ABCDEFUL;
        ulong c = 0xFEDCBA9876543210UL;
        const long LengthB = 5L << 30;
        const long LengthC = (5L << 40) - 12345;

        ulong left = Crc64Nvme.Combine(Crc64Nvme.Combine(a, b, LengthB), c, LengthC);
        ulong right = Crc64Nvme.Combine(a, Crc64Nvme.Combine(b, c, LengthC), LengthB + LengthC);

        left.ShouldBe(right);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    internal static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
