using System.Threading.Channels;

namespace Nimbus.Core.Controllers;

/// <summary>
/// A deduplicating work queue of resource ids (the client-go workqueue's semantics): an id is
/// queued at most once; an id that changes while it is being processed is queued again when
/// its processing ends, so one id is never reconciled by two workers at once.
/// </summary>
public sealed class WorkQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly HashSet<string> _queued = [];
    private readonly HashSet<string> _processing = [];
    private readonly HashSet<string> _dirty = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count + _processing.Count;
            }
        }
    }

    public void Add(string id)
    {
        lock (_lock)
        {
            if (_processing.Contains(id))
            {
                _dirty.Add(id);
                return;
            }

            if (_queued.Add(id))
            {
                _channel.Writer.TryWrite(id);
            }
        }
    }

    /// <summary>Waits for the next id and marks it as being processed.</summary>
    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var id = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (_queued.Remove(id))
                {
                    _processing.Add(id);
                    return id;
                }
            }
        }
    }

    /// <summary>Ends processing of <paramref name="id"/>; queues it again if it changed meanwhile.</summary>
    public void Done(string id)
    {
        lock (_lock)
        {
            _processing.Remove(id);
            if (_dirty.Remove(id) && _queued.Add(id))
            {
                _channel.Writer.TryWrite(id);
            }
        }
    }
}
