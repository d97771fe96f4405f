using Nimbus.Core.Audit;

namespace Nimbus.Server.Pipeline;

/// <summary>The record of one request, queued exactly once: when its response starts, or when it completes without one.</summary>
internal sealed class PendingAuditRecord(AuditTrail trail, HttpContext context, DateTimeOffset time)
{
    private int _recorded;

    public Exception? Failure { get; set; }

    public Task RecordAsync()
    {
        if (Interlocked.Exchange(ref _recorded, 1) != 0)
        {
            return Task.CompletedTask;
        }

        return trail.RecordAsync(AuditMiddleware.BuildRecord(context, time, Failure)).AsTask();
    }
}
