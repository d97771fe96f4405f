using System.Runtime.InteropServices;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Block buffers for <c>O_DIRECT</c> writes: pinned arrays (the collector never moves them, so the address the
/// kernel reads from stays put) with one block starting on a page boundary. Up to <see cref="Kept"/> are kept for
/// reuse: allocating and zeroing a fresh megabyte per block of an upload would cost what direct writes save.
/// </summary>
internal static class AlignedBlocks
{
    /// <summary>Two per upload for 32 large uploads at once; more than that are freed on return.</summary>
    private const int Kept = 64;

    private static readonly System.Collections.Concurrent.ConcurrentStack<byte[]> s_free = new();
    private static int s_freeCount;

    /// <summary>A pooled pinned array and where its aligned block starts.</summary>
    public readonly record struct Block(byte[] Array, int Start)
    {
        public Memory<byte> Memory => Array.AsMemory(Start, StorageLayout.BlockSize);
    }

    public static Block Rent()
    {
        if (s_free.TryPop(out var array))
        {
            Interlocked.Decrement(ref s_freeCount);
        }
        else
        {
            array = GC.AllocateUninitializedArray<byte>(StorageLayout.BlockSize + NativeIo.DirectAlignment, pinned: true);
        }

        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        var start = (int)((NativeIo.DirectAlignment - (address & (NativeIo.DirectAlignment - 1))) & (NativeIo.DirectAlignment - 1));
        return new Block(array, start);
    }

    public static void Return(Block block)
    {
        if (Interlocked.Increment(ref s_freeCount) <= Kept)
        {
            s_free.Push(block.Array);
        }
        else
        {
            Interlocked.Decrement(ref s_freeCount);
        }
    }
}
