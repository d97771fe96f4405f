using System.Collections.Concurrent;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Compute.Exec;

/// <summary>Counts the open exec sessions of each instance, so that one instance cannot take every process of the node through exec.</summary>
public sealed class ExecSlots(ComputeOptions options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for <paramref name="instanceId"/> (<c>LimitExceeded</c> when all are taken); dispose to give it back.</summary>
    public IDisposable Take(string instanceId)
    {
        while (true)
        {
            var current = _open.GetValueOrDefault(instanceId);
            if (current >= options.MaxExecSessionsPerInstance)
            {
                throw new NimbusException(ErrorCodes.LimitExceeded, 409, $"Instance {instanceId} already has {current} exec sessions open, the most allowed; close one first.");
            }

            if (current == 0 ? _open.TryAdd(instanceId, 1) : _open.TryUpdate(instanceId, current + 1, current))
            {
                return new Slot(this, instanceId);
            }
        }
    }

    private void Give(string instanceId)
    {
        while (true)
        {
            var current = _open.GetValueOrDefault(instanceId);
            if (current == 0)
            {
                return;
            }

            if (current == 1 ? _open.TryRemove(new KeyValuePair<string, int>(instanceId, current)) : _open.TryUpdate(instanceId, current - 1, current))
            {
                return;
            }
        }
    }

    private sealed class Slot(ExecSlots owner, string instanceId) : IDisposable
    {
        private int _given;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _given, 1) == 0)
            {
                owner.Give(instanceId);
            }
        }
    }
}
