using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// CRC-64/NVME (the S3 <c>CRC64NVME</c> checksum): polynomial 0xAD93D23594C93659, reflected, initial value and
/// final XOR all ones; the check value of <c>"123456789"</c> is 0xAE8B14860A799888. Uses carry-less
/// multiplication (PCLMULQDQ) folding where the CPU has it, slicing-by-8 tables elsewhere.
/// </summary>
public static class Crc64Nvme
{
    /// <summary>The polynomial bit-reversed, as the shift-right (reflected) algorithm uses it.</summary>
    public const ulong ReflectedPolynomial = 0x9A6C9329AC4BC9B5;

    // Below this the table path wins: folding needs 64 bytes to start and 16 to finish.
    private const int FoldingThreshold = 128;

    private static readonly ulong[] Table = CrcTables.Build(ReflectedPolynomial);

    // Folding constants (reflected, x^0 in bit 63). A 128-bit block P0·x^64 + P1 (P0 in the low lane: the
    // reflected order puts the earlier, higher-degree bits first) moves d bits further down the message as
    // P0·x^(d+64) + P1·x^d. A reflected carry-less product of A and B is A·B·x, so the constants are
    // x^(d+63) mod P and x^(d-1) mod P. d = 512 for the four-way main loop, d = 128 to merge and finish.
    private static readonly Vector128<ulong> Fold512 = Vector128.Create(
        CrcPolynomial.Crc64Nvme.PowerOfX(512 + 63), CrcPolynomial.Crc64Nvme.PowerOfX(512 - 1));

    private static readonly Vector128<ulong> Fold128 = Vector128.Create(
        CrcPolynomial.Crc64Nvme.PowerOfX(128 + 63), CrcPolynomial.Crc64Nvme.PowerOfX(128 - 1));

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    public static ulong HashToUInt64(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The CRC of A‖<paramref name="data"/> given <paramref name="crc"/> = the CRC of A (0 for empty A), so
    /// a CRC can be computed piece by piece.
    /// </summary>
    /// <param name="crc">The CRC of the bytes before <paramref name="data"/>; 0 to start.</param>
    /// <param name="data">The next bytes.</param>
    public static ulong Append(ulong crc, ReadOnlySpan<byte> data)
    {
        ulong register = ~crc;
        if (data.Length >= FoldingThreshold && Pclmulqdq.IsSupported)
        {
            register = UpdateFolding(register, data, out int consumed);
            data = data[consumed..];
        }

        return ~CrcTables.Update64(Table, register, data);
    }

    /// <summary>Combines CRCs of two adjacent pieces: the CRC of A‖B from crc(A), crc(B) and |B|.</summary>
    /// <param name="crcA">The CRC of the first piece.</param>
    /// <param name="crcB">The CRC of the second piece.</param>
    /// <param name="lengthB">Length of the second piece in bytes.</param>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB) => CrcPolynomial.Crc64Nvme.Combine(crcA, crcB, lengthB);

    internal static ulong UpdateTable(ulong crc, ReadOnlySpan<byte> data) => ~CrcTables.Update64(Table, ~crc, data);

    // Folds whole 16-byte blocks; returns the raw register after them. Requires data.Length >= 64.
    private static ulong UpdateFolding(ulong register, ReadOnlySpan<byte> data, out int consumed)
    {
        ref byte source = ref MemoryMarshal.GetReference(data);
        int length = data.Length;

        // The register of a reflected CRC is XORed into the first bytes of the data, then the data is folded.
        Vector128<ulong> x0 = Load(ref source, 0) ^ Vector128.CreateScalar(register);
        Vector128<ulong> x1 = Load(ref source, 16);
        Vector128<ulong> x2 = Load(ref source, 32);
        Vector128<ulong> x3 = Load(ref source, 48);
        int offset = 64;
        Vector128<ulong> fold512 = Fold512;
        while (length - offset >= 64)
        {
            x0 = Fold(x0, fold512) ^ Load(ref source, offset);
            x1 = Fold(x1, fold512) ^ Load(ref source, offset + 16);
            x2 = Fold(x2, fold512) ^ Load(ref source, offset + 32);
            x3 = Fold(x3, fold512) ^ Load(ref source, offset + 48);
            offset += 64;
        }

        Vector128<ulong> fold128 = Fold128;
        x1 ^= Fold(x0, fold128);
        x2 ^= Fold(x1, fold128);
        x3 ^= Fold(x2, fold128);
        while (length - offset >= 16)
        {
            x3 = Fold(x3, fold128) ^ Load(ref source, offset);
            offset += 16;
        }

        // What is left is congruent to the message: its CRC from a zero register is the message's register.
        Span<byte> last = stackalloc byte[16];
        x3.AsByte().CopyTo(last);
        consumed = offset;
        return CrcTables.Update64(Table, 0, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref byte source, int offset) =>
        Vector128.LoadUnsafe(ref Unsafe.Add(ref source, offset)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(x, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, constants, 0x11);
}
