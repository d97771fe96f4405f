using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Nimbus.Storage.Engine;

/// <summary>
/// CRC-32C (Castagnoli) of stored blocks, for bitrot detection. Uses the CPU's CRC32 instruction through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>: about 8 bytes a cycle-triple, several GB/s, so verifying
/// every block on GET costs little next to copying it to the socket.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
