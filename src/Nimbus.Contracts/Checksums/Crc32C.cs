using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// CRC-32C (Castagnoli; the S3 <c>CRC32C</c> checksum): polynomial 0x1EDC6F41, reflected, initial value and
/// final XOR all ones; the check value of <c>"123456789"</c> is 0xE3069283. Long inputs are folded with 512-bit
/// carry-less multiplication (VPCLMULQDQ) where the CPU has it; otherwise, and for the tail, the SSE4.2 / ARMv8
/// CRC32C instructions, and slicing-by-8 tables where neither exists.
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

    // Below this the CRC32C instruction wins: folding needs 256 bytes to start and reduces 64 at the end.
    private const int WideFoldingThreshold = 1024;

    // Folding constants, as in Crc64Nvme (a 128-bit block P0·x^64 + P1 moves d bits down the message as
    // P0·x^(d+64) + P1·x^d; a reflected carry-less product is A·B·x): x^(d+63) mod P and x^(d-1) mod P, here
    // modulo the 32-bit polynomial, placed with x^0 in bit 63 of the 64-bit lane (the 32-bit reflected value
    // shifted up by 32). d = 2048 for the main loop (four 512-bit accumulators), 512 to merge them, and 384, 256
    // and 128 to fold the four 128-bit lanes of the last one into one.
    private static readonly Vector512<ulong> Fold2048 = Vector512.Create(FoldConstants(2048));

    private static readonly Vector512<ulong> Fold512 = Vector512.Create(FoldConstants(512));

    private static readonly Vector128<ulong> Fold384 = FoldConstants(384);

    private static readonly Vector128<ulong> Fold256 = FoldConstants(256);

    private static readonly Vector128<ulong> Fold128 = FoldConstants(128);

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
            // Measured on the development machine (AMD EPYC, one core): the three CRC32C chains about 12 GB/s, the
            // 512-bit folding several times that; a GET verifies every byte it sends, a PUT every byte it stores.
            if (data.Length >= WideFoldingThreshold && Pclmulqdq.V512.IsSupported)
            {
                register = UpdateFolding512(register, data, out int consumed);
                data = data[consumed..];
            }

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

    // Folds whole 64-byte blocks; returns the raw register after them. Requires data.Length >= 256.
    private static uint UpdateFolding512(uint register, ReadOnlySpan<byte> data, out int consumed)
    {
        ref byte source = ref MemoryMarshal.GetReference(data);
        int length = data.Length;

        // The register of a reflected CRC is XORed into the first bytes of the data, then the data is folded.
        Vector512<ulong> x0 = Load512(ref source, 0) ^ Vector512.CreateScalar((ulong)register);
        Vector512<ulong> x1 = Load512(ref source, 64);
        Vector512<ulong> x2 = Load512(ref source, 128);
        Vector512<ulong> x3 = Load512(ref source, 192);
        int offset = 256;
        Vector512<ulong> fold2048 = Fold2048;
        while (length - offset >= 256)
        {
            x0 = Fold(x0, fold2048) ^ Load512(ref source, offset);
            x1 = Fold(x1, fold2048) ^ Load512(ref source, offset + 64);
            x2 = Fold(x2, fold2048) ^ Load512(ref source, offset + 128);
            x3 = Fold(x3, fold2048) ^ Load512(ref source, offset + 192);
            offset += 256;
        }

        Vector512<ulong> fold512 = Fold512;
        x1 ^= Fold(x0, fold512);
        x2 ^= Fold(x1, fold512);
        x3 ^= Fold(x2, fold512);
        while (length - offset >= 64)
        {
            x3 = Fold(x3, fold512) ^ Load512(ref source, offset);
            offset += 64;
        }

        // The four 128-bit lanes of the last accumulator, earliest first, folded onto the last one.
        Vector128<ulong> folded = x3.GetUpper().GetUpper()
            ^ Fold(x3.GetLower().GetLower(), Fold384)
            ^ Fold(x3.GetLower().GetUpper(), Fold256)
            ^ Fold(x3.GetUpper().GetLower(), Fold128);

        // What is left is congruent to the message: its CRC from a zero register is the message's register.
        consumed = offset;
        return (uint)Sse42.X64.Crc32(Sse42.X64.Crc32(0, folded.GetElement(0)), folded.GetElement(1));
    }

    private static Vector128<ulong> FoldConstants(int distance) => Vector128.Create(
        CrcPolynomial.Crc32C.PowerOfX((ulong)distance + 63) << 32, CrcPolynomial.Crc32C.PowerOfX((ulong)distance - 1) << 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load512(ref byte source, int offset) =>
        Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<ulong> x, Vector512<ulong> constants) =>
        Pclmulqdq.V512.CarrylessMultiply(x, constants, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, constants, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(x, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, constants, 0x11);

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
