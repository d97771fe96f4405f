using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Server.Hosting;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Every_block_is_64_KiB_whatever_the_request()
    {
        using var pool = new LargeBlockMemoryPool();
        pool.MaxBufferSize.ShouldBe(64 * 1024);
        foreach (var size in new[] { -1, 0, 1, 4096, 64 * 1024 })
        {
            using var block = pool.Rent(size);
            block.Memory.Length.ShouldBe(64 * 1024);
        }
    }

    [Fact]
    public void A_request_above_the_block_size_is_refused()
    {
        using var pool = new LargeBlockMemoryPool();
        Should.Throw<ArgumentOutOfRangeException>(() => pool.Rent(64 * 1024 + 1));
    }

    [Fact]
    public void The_last_returned_block_is_reused_first_and_a_second_dispose_returns_nothing()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        var second = pool.Rent();
        var firstMemory = first.Memory;
        var secondMemory = second.Memory;
        first.Dispose();
        second.Dispose();
        second.Dispose();
        Should.Throw<ObjectDisposedException>(() => second.Memory);

        using var again = pool.Rent();
        again.Memory.Span.Overlaps(secondMemory.Span).ShouldBeTrue();
        using var next = pool.Rent();
        next.Memory.Span.Overlaps(firstMemory.Span).ShouldBeTrue();
        using var fresh = pool.Rent();
        fresh.Memory.Span.Overlaps(firstMemory.Span).ShouldBeFalse();
        fresh.Memory.Span.Overlaps(secondMemory.Span).ShouldBeFalse();
    }

    [Fact]
    public async Task The_server_gives_Kestrel_the_large_block_pool()
    {
        await using var server = await NimbusServer.StartAsync();
        server.Host.Services.GetRequiredService<IMemoryPoolFactory<byte>>().ShouldBeOfType<LargeBlockMemoryPoolFactory>();
    }
}
