namespace Nimbus.Contracts.Tests.Checksums;

/// <summary>
/// The textbook CRC (Williams' parameter model), one bit at a time, MSB-first with the normal polynomial
/// and explicit reflection of input bytes and the result: independent of the reflected tables, constants
/// and instructions the production code uses.
/// </summary>
internal static class ReferenceCrc
{
    public static ulong Compute(int width, ulong normalPolynomial, ReadOnlySpan<byte> data)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ulong top = 1UL << (width - 1);
        ulong register = mask;
        foreach (byte b in data)
        {
            register ^= (ulong)Reflect(b, 8) << (width - 8);
            for (int bit = 0; bit < 8; bit++)
            {
                register = (register & top) != 0 ? ((register << 1) ^ normalPolynomial) & mask : (register << 1) & mask;
            }
        }

        return Reflect(register, width) ^ mask;
    }

    public static uint Crc32(ReadOnlySpan<byte> data) => (uint)Compute(32, 0x04C11DB7, data);

    public static uint Crc32C(ReadOnlySpan<byte> data) => (uint)Compute(32, 0x1EDC6F41, data);

    public static ulong Crc64Nvme(ReadOnlySpan<byte> data) => Compute(64, 0xAD93D23594C93659, data);

    private static ulong Reflect(ulong value, int width)
    {
        ulong result = 0;
        for (int i = 0; i < width; i++)
        {
            if ((value & (1UL << i)) != 0)
            {
                result |= 1UL << (width - 1 - i);
            }
        }

        return result;
    }
}
