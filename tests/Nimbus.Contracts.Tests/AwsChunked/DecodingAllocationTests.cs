using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>
/// The decoder allocates per upload, never per chunk or per byte: decoding 256 chunks costs the same
/// allocations as decoding 2. Allocation counts are exact, unlike timings on a shared machine. A Debug
/// build is the exception the test allows for: there the compiler makes every async state machine a class
/// (for Edit and Continue), one small object per awaiting call, so the bound per chunk is looser.
/// </summary>
public sealed class DecodingAllocationTests
{
    [Theory]
    [InlineData(AwsChunkedMode.SignedPayload)]
    [InlineData(AwsChunkedMode.SignedPayloadTrailer)]
    [InlineData(AwsChunkedMode.UnsignedPayloadTrailer)]
    public void Allocations_do_not_grow_with_the_number_of_chunks(AwsChunkedMode mode)
    {
        ChecksumAlgorithm? trailer = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithm.Crc64Nvme : null;
        byte[] small = ChunkedBody.Build(mode, new byte[2 * 8192], [8192], trailer);
        byte[] large = ChunkedBody.Build(mode, new byte[256 * 8192], Enumerable.Repeat(8192, 255), trailer);
        byte[] buffer = new byte[16 * 1024];

        Decode(mode, small, 2 * 8192, trailer, buffer);
        Decode(mode, large, 256 * 8192, trailer, buffer);
        long fewChunks = Decode(mode, small, 2 * 8192, trailer, buffer);
        long manyChunks = Decode(mode, large, 256 * 8192, trailer, buffer);

        long perChunkBudget = OptimizedBuild ? 0 : 1024;
        (manyChunks - fewChunks).ShouldBeLessThan(256 + (254 * perChunkBudget), $"2 chunks: {fewChunks} B, 256 chunks: {manyChunks} B");
        fewChunks.ShouldBeLessThan(4096 + (2 * perChunkBudget));
    }

    private static bool OptimizedBuild =>
        typeof(AwsChunkedDecodingStream).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            is not [System.Diagnostics.DebuggableAttribute { IsJITOptimizerDisabled: true }];

    private static long Decode(AwsChunkedMode mode, byte[] body, long length, ChecksumAlgorithm? trailer, byte[] buffer)
    {
        AwsChunkedDecodingOptions options = ChunkedBody.Options(mode, length, trailer);
        var source = new MemoryStream(body);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var decoder = new AwsChunkedDecodingStream(source, options))
        {
            while (decoder.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
