using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Nimbus.Server.Hosting;

/// <summary>Makes Kestrel's pools <see cref="LargeBlockMemoryPool"/>s (Kestrel resolves this factory from the services).</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
