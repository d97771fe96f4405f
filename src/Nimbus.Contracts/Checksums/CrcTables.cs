using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// Table-driven reflected CRCs, eight bytes per step ("slicing-by-8": eight 256-entry tables, one lookup
/// per input byte and no dependency between the lookups of one step). The portable path and the tail
/// handler of the hardware paths. Registers are the raw shift register (no initial or final inversion).
/// </summary>
internal static class CrcTables
{
    /// <summary>Builds the 8×256 tables for a reflected CRC of up to 64 bits, flat: <c>[slice * 256 + byte]</c>.</summary>
    public static ulong[] Build(ulong reflectedPolynomial)
    {
        var table = new ulong[8 * 256];
        for (int n = 0; n < 256; n++)
        {
            ulong crc = (ulong)n;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1;
            }

            table[n] = crc;
        }

        for (int slice = 1; slice < 8; slice++)
        {
            for (int n = 0; n < 256; n++)
            {
                ulong previous = table[((slice - 1) * 256) + n];
                table[(slice * 256) + n] = (previous >> 8) ^ table[(int)(previous & 0xFF)];
            }
        }

        return table;
    }

    /// <summary>Advances a 64-bit register over <paramref name="data"/>.</summary>
    public static ulong Update64(ulong[] table, ulong register, ReadOnlySpan<byte> data)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(table);
        while (data.Length >= 8)
        {
            register ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            register = At(ref t, 7, (int)(register & 0xFF))
                ^ At(ref t, 6, (int)((register >> 8) & 0xFF))
                ^ At(ref t, 5, (int)((register >> 16) & 0xFF))
                ^ At(ref t, 4, (int)((register >> 24) & 0xFF))
                ^ At(ref t, 3, (int)((register >> 32) & 0xFF))
                ^ At(ref t, 2, (int)((register >> 40) & 0xFF))
                ^ At(ref t, 1, (int)((register >> 48) & 0xFF))
                ^ At(ref t, 0, (int)(register >> 56));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            register = At(ref t, 0, (int)((register ^ b) & 0xFF)) ^ (register >> 8);
        }

        return register;
    }

    /// <summary>Advances a 32-bit register over <paramref name="data"/> (tables built from a 32-bit polynomial).</summary>
    public static uint Update32(ulong[] table, uint register, ReadOnlySpan<byte> data)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(table);
        while (data.Length >= 8)
        {
            uint low = register ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            register = (uint)(At(ref t, 7, (int)(low & 0xFF))
                ^ At(ref t, 6, (int)((low >> 8) & 0xFF))
                ^ At(ref t, 5, (int)((low >> 16) & 0xFF))
                ^ At(ref t, 4, (int)(low >> 24))
                ^ At(ref t, 3, (int)(high & 0xFF))
                ^ At(ref t, 2, (int)((high >> 8) & 0xFF))
                ^ At(ref t, 1, (int)((high >> 16) & 0xFF))
                ^ At(ref t, 0, (int)(high >> 24)));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            register = (uint)At(ref t, 0, (int)((register ^ b) & 0xFF)) ^ (register >> 8);
        }

        return register;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong At(ref ulong table, int slice, int index) => Unsafe.Add(ref table, (slice * 256) + index);
}
