using System.Buffers;
using Microsoft.AspNetCore.Connections;

/// <summary>Hands Kestrel a <see cref="BlockPool"/> wherever it makes a memory pool.</summary>
internal sealed class BlockPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new BlockPool();
}
