using Nimbus.Core.Audit;

namespace Nimbus.Server.Audit;

/// <summary>Retention, the only way records leave the audit log: at start and then every <see cref="AuditOptions.PruneInterval"/>.</summary>
public sealed partial class AuditRetentionService(AuditTrail trail, AuditOptions options, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await trail.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var cutoff = time.GetUtcNow() - options.Retention;
                    var removed = await trail.Log.PruneOlderThanAsync(cutoff, stoppingToken).ConfigureAwait(false);
                    if (removed > 0)
                    {
                        LogPruned(removed, cutoff);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPruneFailed(ex);
                }

                await Task.Delay(options.PruneInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Audit retention removed {Count} events older than {Cutoff}")]
    private partial void LogPruned(long count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Audit retention failed; it runs again at the next interval")]
    private partial void LogPruneFailed(Exception ex);
}
