namespace Nimbus.Contracts.Checksums;

/// <summary>
/// Arithmetic modulo a CRC polynomial in the reflected representation (the coefficient of x^0 in the top
/// bit of the register width, x^(width-1) in bit 0), as zlib's <c>crc32_combine</c> does it: enough to
/// shift a CRC over n zero bytes in O(log n) and so to combine the CRCs of two pieces into the CRC of
/// their concatenation.
/// </summary>
internal sealed class CrcPolynomial
{
    private readonly ulong _polynomial;
    private readonly ulong _one;

    // _powers[k] = x^(2^k) mod P: enough for any shift that a long byte count can express, times 8.
    private readonly ulong[] _powers = new ulong[67];

    public CrcPolynomial(int width, ulong reflectedPolynomial)
    {
        Width = width;
        _polynomial = reflectedPolynomial;
        _one = 1UL << (width - 1);
        ulong power = _one >> 1; // x^1
        for (int k = 0; k < _powers.Length; k++)
        {
            _powers[k] = power;
            power = Multiply(power, power);
        }
    }

    public static CrcPolynomial Crc32 { get; } = new(32, 0xEDB88320);

    public static CrcPolynomial Crc32C { get; } = new(32, 0x82F63B78);

    public static CrcPolynomial Crc64Nvme { get; } = new(64, 0x9A6C9329AC4BC9B5);

    public int Width { get; }

    /// <summary>a·b mod P.</summary>
    public ulong Multiply(ulong a, ulong b)
    {
        ulong product = 0;
        for (ulong mask = _one; mask != 0; mask >>= 1)
        {
            if ((a & mask) != 0)
            {
                product ^= b;
                if ((a & (mask - 1)) == 0)
                {
                    break;
                }
            }

            b = (b & 1) != 0 ? (b >> 1) ^ _polynomial : b >> 1;
        }

        return product;
    }

    /// <summary>x^n mod P, for any non-negative n, by squaring.</summary>
    public ulong PowerOfX(ulong n)
    {
        ulong result = _one;
        for (int k = 0; n != 0; k++, n >>= 1)
        {
            if ((n & 1) != 0)
            {
                result = Multiply(_powers[k], result);
            }
        }

        return result;
    }

    /// <summary>x^(8·byteCount) mod P: the operator that shifts a register over <paramref name="byteCount"/> zero bytes.</summary>
    public ulong ShiftOperator(long byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        ulong result = _one;
        ulong n = (ulong)byteCount;
        for (int k = 3; n != 0; k++, n >>= 1)
        {
            if ((n & 1) != 0)
            {
                result = Multiply(_powers[k], result);
            }
        }

        return result;
    }

    /// <summary>
    /// The CRC of A‖B from crc(A), crc(B) and |B|, for CRCs whose initial value and final XOR are equal (all
    /// three S3 CRCs: all ones): crc(A‖B) = crc(A)·x^(8|B|) ⊕ crc(B) mod P.
    /// </summary>
    public ulong Combine(ulong crcA, ulong crcB, long lengthB) => Multiply(ShiftOperator(lengthB), crcA) ^ crcB;
}
