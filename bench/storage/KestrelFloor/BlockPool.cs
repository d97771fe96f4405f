using System.Buffers;

/// <summary>
/// Kestrel's socket buffers in 64 KiB blocks (Kestrel's default is 4 KiB), the setting nimbus-server uses: a
/// 1 MiB upload is 16 receives instead of 256. Pinned arrays (sockets read into them), the last returned reused
/// first, at most 256 kept.
/// </summary>
internal sealed class BlockPool : MemoryPool<byte>
{
    private const int BlockSize = 64 * 1024;
    private const int Kept = 256;

    private readonly Stack<byte[]> _free = new(Kept);

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        byte[]? array;
        lock (_free)
        {
            _free.TryPop(out array);
        }

        return new Lease(this, array ?? GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        lock (_free)
        {
            _free.Clear();
        }
    }

    private void Return(byte[] array)
    {
        lock (_free)
        {
            if (_free.Count < Kept)
            {
                _free.Push(array);
            }
        }
    }

    private sealed class Lease(BlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
