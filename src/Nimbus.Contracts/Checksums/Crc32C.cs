using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// CRC-32C (Castagnoli; the S3 <c>CRC32C</c> checksum): polynomial 0x1EDC6F41, reflected, initial value and
/// final XOR all ones; the check value of <c>"123456789"</c> is 0xE3069283. Uses the SSE4.2 / ARMv8 CRC32C
/// instructions where present, slicing-by-8 tables elsewhere.
/// </summary>
public static class Crc32C
{
    /// <summary>The polynomial bit-reversed, as the shift-right (reflected) algorithm uses it.</summary>
    public const uint ReflectedPolynomial = 0x82F63B78;

    // Three independent instruction streams hide the instruction's 3-cycle latency; below this the
    // shifts that merge them cost more than they save.
    private const int InterleaveBlock = 4096;

    private static readonly ulong[] Table = CrcTables.Build(ReflectedPolynomial);

    private static readonly ulong ShiftOneBlock = CrcPolynomial.Crc32C.ShiftOperator(InterleaveBlock);

    private static readonly ulong ShiftTwoBlocks = CrcPolynomial.Crc32C.ShiftOperator(2 * InterleaveBlock);

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    public static uint HashToUInt32(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The CRC of A‖<paramref name="data"/> given <paramref name="crc"/> = the CRC of A (0 for empty A), so
    /// a CRC can be computed piece by piece.
    /// </summary>
    /// <param name="crc">The CRC of the bytes before <paramref name="data"/>; 0 to start.</param>
    /// <param name="data">The next bytes.</param>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint register = ~crc;
        if (Sse42.X64.IsSupported)
        {
            return ~UpdateSse42(register, data);
        }

        if (ArmCrc32.Arm64.IsSupported)
        {
            return ~UpdateArm(register, data);
        }

        return ~CrcTables.Update32(Table, register, data);
    }

    /// <summary>Combines CRCs of two adjacent pieces: the CRC of A‖B from crc(A), crc(B) and |B|.</summary>
    /// <param name="crcA">The CRC of the first piece.</param>
    /// <param name="crcB">The CRC of the second piece.</param>
    /// <param name="lengthB">Length of the second piece in bytes.</param>
    public static uint Combine(uint crcA, uint crcB, long lengthB) => (uint)CrcPolynomial.Crc32C.Combine(crcA, crcB, lengthB);

    internal static uint UpdateTable(uint crc, ReadOnlySpan<byte> data) => ~CrcTables.Update32(Table, ~crc, data);

    private static uint UpdateSse42(uint register, ReadOnlySpan<byte> data)
    {
        ref byte source = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint offset = 0;
        ulong a = register;

        // Three independent chains over three adjacent blocks, merged by shifting the first two over the
        // blocks that follow them: the instruction has a latency of three cycles and a throughput of one.
        while (length - offset >= 3 * InterleaveBlock)
        {
            ulong b = 0;
            ulong c = 0;
            ref byte block = ref Unsafe.Add(ref source, offset);
            for (nuint i = 0; i < InterleaveBlock; i += 8)
            {
                a = Sse42.X64.Crc32(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i)));
                b = Sse42.X64.Crc32(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i + InterleaveBlock)));
                c = Sse42.X64.Crc32(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i + (2 * InterleaveBlock))));
            }

            a = CrcPolynomial.Crc32C.Multiply(ShiftTwoBlocks, a) ^ CrcPolynomial.Crc32C.Multiply(ShiftOneBlock, b) ^ c;
            offset += 3 * InterleaveBlock;
        }

        for (; length - offset >= 8; offset += 8)
        {
            a = Sse42.X64.Crc32(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, offset)));
        }

        uint narrow = (uint)a;
        for (; offset < length; offset++)
        {
            narrow = Sse42.Crc32(narrow, Unsafe.Add(ref source, offset));
        }

        return narrow;
    }

    private static uint UpdateArm(uint register, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            register = ArmCrc32.Arm64.ComputeCrc32C(register, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            register = ArmCrc32.ComputeCrc32C(register, b);
        }

        return register;
    }
}
