using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nimbus.Storage.Engine.Md5;

/// <summary>
/// MD5's compression function (RFC 1321, section 3.4): one block of each of eight independent messages at once in the
/// eight 32-bit lanes of a 256-bit vector (<see cref="Compress8"/>), and one block of one message through the same
/// code (<see cref="Compress(ref Md5State, ReadOnlySpan{byte})"/>, for the padding and short pieces).
/// MD5 is one chain of dependent steps, so one message cannot go faster than the chain's latency (OpenSSL: about
/// 1.4 ms per MiB here); eight messages in the lanes of one vector go through the same chain together, for about
/// the price of one. The S3 ETag of a single-part object is its MD5, and concurrent uploads are independent
/// messages: <see cref="Md5Hasher"/> runs them side by side.
/// </summary>
internal static class Md5Core
{
    public const int BlockSize = 64;

    public const int Lanes = 8;

    /// <summary>
    /// Compresses one block into <paramref name="state"/>: through <see cref="Compress8"/> with the block in every lane
    /// (one chain's latency, as a scalar form would take; used only for a message's padding and for blocks split
    /// between two pieces, a few per message).
    /// </summary>
    public static unsafe void Compress(ref Md5State state, ReadOnlySpan<byte> block)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(block.Length, BlockSize);
        fixed (byte* p = block)
        {
            var blocks = stackalloc byte*[Lanes];
            for (var i = 0; i < Lanes; i++)
            {
                blocks[i] = p;
            }

            var a = Vector256.Create(state.A);
            var b = Vector256.Create(state.B);
            var c = Vector256.Create(state.C);
            var d = Vector256.Create(state.D);
            Compress8(ref a, ref b, ref c, ref d, blocks);
            state = new Md5State { A = a[0], B = b[0], C = c[0], D = d[0] };
        }
    }

    /// <summary>
    /// Compresses one block of each of eight messages: lane <c>i</c> of <paramref name="sa"/>..<paramref name="sd"/> is
    /// message <c>i</c>'s state, <paramref name="blocks"/>[i] points at its next 64 bytes (little-endian words, as
    /// MD5 reads them; x86 and arm64 are little-endian). A lane without a message may point at any 64 readable bytes.
    /// </summary>
    [SkipLocalsInit]
    public static unsafe void Compress8(ref Vector256<uint> sa, ref Vector256<uint> sb, ref Vector256<uint> sc, ref Vector256<uint> sd, byte** blocks)
    {
        uint* p0 = (uint*)blocks[0], p1 = (uint*)blocks[1], p2 = (uint*)blocks[2], p3 = (uint*)blocks[3];
        uint* p4 = (uint*)blocks[4], p5 = (uint*)blocks[5], p6 = (uint*)blocks[6], p7 = (uint*)blocks[7];
        var m0 = Vector256.Create(p0[0], p1[0], p2[0], p3[0], p4[0], p5[0], p6[0], p7[0]);
        var m1 = Vector256.Create(p0[1], p1[1], p2[1], p3[1], p4[1], p5[1], p6[1], p7[1]);
        var m2 = Vector256.Create(p0[2], p1[2], p2[2], p3[2], p4[2], p5[2], p6[2], p7[2]);
        var m3 = Vector256.Create(p0[3], p1[3], p2[3], p3[3], p4[3], p5[3], p6[3], p7[3]);
        var m4 = Vector256.Create(p0[4], p1[4], p2[4], p3[4], p4[4], p5[4], p6[4], p7[4]);
        var m5 = Vector256.Create(p0[5], p1[5], p2[5], p3[5], p4[5], p5[5], p6[5], p7[5]);
        var m6 = Vector256.Create(p0[6], p1[6], p2[6], p3[6], p4[6], p5[6], p6[6], p7[6]);
        var m7 = Vector256.Create(p0[7], p1[7], p2[7], p3[7], p4[7], p5[7], p6[7], p7[7]);
        var m8 = Vector256.Create(p0[8], p1[8], p2[8], p3[8], p4[8], p5[8], p6[8], p7[8]);
        var m9 = Vector256.Create(p0[9], p1[9], p2[9], p3[9], p4[9], p5[9], p6[9], p7[9]);
        var m10 = Vector256.Create(p0[10], p1[10], p2[10], p3[10], p4[10], p5[10], p6[10], p7[10]);
        var m11 = Vector256.Create(p0[11], p1[11], p2[11], p3[11], p4[11], p5[11], p6[11], p7[11]);
        var m12 = Vector256.Create(p0[12], p1[12], p2[12], p3[12], p4[12], p5[12], p6[12], p7[12]);
        var m13 = Vector256.Create(p0[13], p1[13], p2[13], p3[13], p4[13], p5[13], p6[13], p7[13]);
        var m14 = Vector256.Create(p0[14], p1[14], p2[14], p3[14], p4[14], p5[14], p6[14], p7[14]);
        var m15 = Vector256.Create(p0[15], p1[15], p2[15], p3[15], p4[15], p5[15], p6[15], p7[15]);
        Vector256<uint> a = sa, b = sb, c = sc, d = sd;
        a = F(a, b, c, d, m0, 0xd76aa478u, 7);
        d = F(d, a, b, c, m1, 0xe8c7b756u, 12);
        c = F(c, d, a, b, m2, 0x242070dbu, 17);
        b = F(b, c, d, a, m3, 0xc1bdceeeu, 22);
        a = F(a, b, c, d, m4, 0xf57c0fafu, 7);
        d = F(d, a, b, c, m5, 0x4787c62au, 12);
        c = F(c, d, a, b, m6, 0xa8304613u, 17);
        b = F(b, c, d, a, m7, 0xfd469501u, 22);
        a = F(a, b, c, d, m8, 0x698098d8u, 7);
        d = F(d, a, b, c, m9, 0x8b44f7afu, 12);
        c = F(c, d, a, b, m10, 0xffff5bb1u, 17);
        b = F(b, c, d, a, m11, 0x895cd7beu, 22);
        a = F(a, b, c, d, m12, 0x6b901122u, 7);
        d = F(d, a, b, c, m13, 0xfd987193u, 12);
        c = F(c, d, a, b, m14, 0xa679438eu, 17);
        b = F(b, c, d, a, m15, 0x49b40821u, 22);
        a = G(a, b, c, d, m1, 0xf61e2562u, 5);
        d = G(d, a, b, c, m6, 0xc040b340u, 9);
        c = G(c, d, a, b, m11, 0x265e5a51u, 14);
        b = G(b, c, d, a, m0, 0xe9b6c7aau, 20);
        a = G(a, b, c, d, m5, 0xd62f105du, 5);
        d = G(d, a, b, c, m10, 0x02441453u, 9);
        c = G(c, d, a, b, m15, 0xd8a1e681u, 14);
        b = G(b, c, d, a, m4, 0xe7d3fbc8u, 20);
        a = G(a, b, c, d, m9, 0x21e1cde6u, 5);
        d = G(d, a, b, c, m14, 0xc33707d6u, 9);
        c = G(c, d, a, b, m3, 0xf4d50d87u, 14);
        b = G(b, c, d, a, m8, 0x455a14edu, 20);
        a = G(a, b, c, d, m13, 0xa9e3e905u, 5);
        d = G(d, a, b, c, m2, 0xfcefa3f8u, 9);
        c = G(c, d, a, b, m7, 0x676f02d9u, 14);
        b = G(b, c, d, a, m12, 0x8d2a4c8au, 20);
        a = H(a, b, c, d, m5, 0xfffa3942u, 4);
        d = H(d, a, b, c, m8, 0x8771f681u, 11);
        c = H(c, d, a, b, m11, 0x6d9d6122u, 16);
        b = H(b, c, d, a, m14, 0xfde5380cu, 23);
        a = H(a, b, c, d, m1, 0xa4beea44u, 4);
        d = H(d, a, b, c, m4, 0x4bdecfa9u, 11);
        c = H(c, d, a, b, m7, 0xf6bb4b60u, 16);
        b = H(b, c, d, a, m10, 0xbebfbc70u, 23);
        a = H(a, b, c, d, m13, 0x289b7ec6u, 4);
        d = H(d, a, b, c, m0, 0xeaa127fau, 11);
        c = H(c, d, a, b, m3, 0xd4ef3085u, 16);
        b = H(b, c, d, a, m6, 0x04881d05u, 23);
        a = H(a, b, c, d, m9, 0xd9d4d039u, 4);
        d = H(d, a, b, c, m12, 0xe6db99e5u, 11);
        c = H(c, d, a, b, m15, 0x1fa27cf8u, 16);
        b = H(b, c, d, a, m2, 0xc4ac5665u, 23);
        a = I(a, b, c, d, m0, 0xf4292244u, 6);
        d = I(d, a, b, c, m7, 0x432aff97u, 10);
        c = I(c, d, a, b, m14, 0xab9423a7u, 15);
        b = I(b, c, d, a, m5, 0xfc93a039u, 21);
        a = I(a, b, c, d, m12, 0x655b59c3u, 6);
        d = I(d, a, b, c, m3, 0x8f0ccc92u, 10);
        c = I(c, d, a, b, m10, 0xffeff47du, 15);
        b = I(b, c, d, a, m1, 0x85845dd1u, 21);
        a = I(a, b, c, d, m8, 0x6fa87e4fu, 6);
        d = I(d, a, b, c, m15, 0xfe2ce6e0u, 10);
        c = I(c, d, a, b, m6, 0xa3014314u, 15);
        b = I(b, c, d, a, m13, 0x4e0811a1u, 21);
        a = I(a, b, c, d, m4, 0xf7537e82u, 6);
        d = I(d, a, b, c, m11, 0xbd3af235u, 10);
        c = I(c, d, a, b, m2, 0x2ad7d2bbu, 15);
        b = I(b, c, d, a, m9, 0xeb86d391u, 21);
        sa += a;
        sb += b;
        sc += c;
        sd += d;
    }

    // The steps add in the order that keeps the chain short: a, the message word and the constant are known steps
    // ahead, so only the round function of the newest word (b), one addition, the rotate and the last addition wait
    // on the step before (H groups c ^ d for the same reason). Adding a + f + m + k left to right put three additions
    // after f: 64 MiB in each of the eight lanes took 148-156 ms, in this order 123-131 (3.3-3.5 against 3.9-4.2 GB/s
    // in all; five rounds of a microbenchmark, 07:58 UTC).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> F(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c, Vector256<uint> d, Vector256<uint> m, uint k, [ConstantExpected] byte s) =>
        b + Rotate(a + (m + Vector256.Create(k)) + Vector256.ConditionalSelect(b, c, d), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> G(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c, Vector256<uint> d, Vector256<uint> m, uint k, [ConstantExpected] byte s) =>
        b + Rotate(a + (m + Vector256.Create(k)) + Vector256.ConditionalSelect(d, b, c), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> H(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c, Vector256<uint> d, Vector256<uint> m, uint k, [ConstantExpected] byte s) =>
        b + Rotate(a + (m + Vector256.Create(k)) + (b ^ (c ^ d)), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> I(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c, Vector256<uint> d, Vector256<uint> m, uint k, [ConstantExpected] byte s) =>
        b + Rotate(a + (m + Vector256.Create(k)) + (c ^ (b | ~d)), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotate(Vector256<uint> x, [ConstantExpected] byte s) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(x, s) : Vector256.ShiftLeft(x, s) | Vector256.ShiftRightLogical(x, 32 - s);
}
