using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Nimbus.Core.Audit;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>
/// The audit trail's writer thread: it sleeps when the queue runs dry and is woken by the next record, so a
/// record queued at any moment (idle writer, busy writer, many producers, shutdown) must reach the log.
/// </summary>
public sealed class AuditWriterTests
{
    [Fact]
    public async Task A_record_queued_after_the_writer_went_idle_is_written()
    {
        var log = new MemoryLog();
        await using var trail = new AuditTrail(log, new AuditOptions { BatchWindow = TimeSpan.FromMilliseconds(1) }, NullLogger<AuditTrail>.Instance);
        await trail.StartAsync(CancellationToken.None);

        for (var i = 0; i < 50; i++)
        {
            var expected = i + 1;
            await trail.RecordAsync(Record($"r{i}"));

            // The writer drains the queue and goes back to sleep before the next record comes.
            await Poll.UntilAsync(() => Task.FromResult(log.Count), n => n == expected, what: $"record r{i} written");
        }

        log.RequestIds().ShouldBe(Enumerable.Range(0, 50).Select(i => $"r{i}"));
    }

    [Fact]
    public async Task Records_from_many_producers_are_all_written_once_and_a_flush_waits_for_them()
    {
        var log = new MemoryLog();
        await using var trail = new AuditTrail(log, new AuditOptions { QueueCapacity = 64, MaxBatchSize = 16 }, NullLogger<AuditTrail>.Instance);
        await trail.StartAsync(CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await trail.RecordAsync(Record($"p{p}-{i}"));
            }
        })));
        await trail.FlushAsync(CancellationToken.None);

        log.Count.ShouldBe(4000);
        log.RequestIds().Distinct().Count().ShouldBe(4000);
        trail.Written.ShouldBe(4000);
    }

    [Fact]
    public async Task Stopping_writes_every_queued_record_first()
    {
        var log = new MemoryLog();
        var trail = new AuditTrail(log, new AuditOptions { BatchWindow = TimeSpan.FromMilliseconds(50) }, NullLogger<AuditTrail>.Instance);
        await trail.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await trail.RecordAsync(Record($"s{i}"));
        }

        await trail.StopAsync();

        log.Count.ShouldBe(100);
    }

    private static AuditEvent Record(string requestId) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        RequestId = requestId,
        Method = "GET",
        Path = "/bucket/key",
        Outcome = "allowed",
        Status = 200,
    };

    private sealed class MemoryLog : IAuditLog
    {
        private readonly ConcurrentQueue<AuditEvent> _events = new();

        public int Count => _events.Count;

        public IEnumerable<string> RequestIds() => _events.Select(e => e.RequestId);

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
        {
            foreach (var e in events)
            {
                _events.Enqueue(e);
            }

            return Task.CompletedTask;
        }

        public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> PruneOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
