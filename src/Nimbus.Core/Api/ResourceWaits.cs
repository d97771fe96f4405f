using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Core.Api;

/// <summary>
/// Long polling on one resource (docs/api.md, "Waiting for a phase"): a GET with <c>wait=N</c> (seconds, 1 to
/// <see cref="MaxWaitSeconds"/>) answers as soon as the resource's status reaches one of <c>untilPhase</c>
/// (comma-separated; <c>failed</c> always ends the wait) for at least <c>minObservedVersion</c>, or, without
/// <c>untilPhase</c>, as soon as the resource or its status changes; at the end of the wait it answers the resource
/// as it is. A resource that disappears answers 404 at once. Waiters wake on every store commit and read their
/// resource again, so a client learns of a phase within one commit instead of one poll interval.
/// </summary>
public sealed class ResourceWaits
{
    public const int MaxWaitSeconds = 25;

    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private TaskCompletionSource _nextCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceWaits(IResourceStore store, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lifetime);
        _time = time;
        _stopping = lifetime.ApplicationStopping;
        store.Committed += OnCommitted;
    }

    /// <summary>Reads the resource once, or waits as the request's <c>wait</c>, <c>untilPhase</c> and <c>minObservedVersion</c> say.</summary>
    public async Task<Resource> ReadAsync(HttpRequest request, Func<CancellationToken, Task<Resource>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var wait = Parse(request);
        if (wait is null)
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }

        // Server shutdown ends every wait with the resource as it is, so a stop is never held up by long polls.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        var deadline = _time.GetUtcNow() + wait.Duration;
        Resource? first = null;
        Resource current;
        while (true)
        {
            // Taken before the read: a commit between the read and the wait still wakes us.
            var commit = Volatile.Read(ref _nextCommit).Task;
            current = await read(cancellationToken).ConfigureAwait(false);
            first ??= current;
            var left = deadline - _time.GetUtcNow();
            if (wait.IsDone(first, current) || left <= TimeSpan.Zero || linked.IsCancellationRequested)
            {
                return current;
            }

            try
            {
                await commit.WaitAsync(left, _time, linked.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return current;
    }

    private void OnCommitted() =>
        Interlocked.Exchange(ref _nextCommit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static Wait? Parse(HttpRequest request)
    {
        var query = request.Query;
        var rawWait = query["wait"].ToString();
        var rawPhases = query["untilPhase"].ToString();
        var rawVersion = query["minObservedVersion"].ToString();
        if (rawWait.Length == 0)
        {
            if (rawPhases.Length > 0 || rawVersion.Length > 0)
            {
                throw Errors.NimbusException.Invalid("wait", "is required with untilPhase and minObservedVersion (seconds to wait, 1 to " + MaxWaitSeconds + ")");
            }

            return null;
        }

        var errors = new FieldErrors();
        if (!int.TryParse(rawWait, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1 || seconds > MaxWaitSeconds)
        {
            errors.Add("wait", $"must be a whole number of seconds from 1 to {MaxWaitSeconds}");
        }

        var phases = rawPhases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (phases.Length > 10 || phases.Any(p => p.Length > 32 || !p.All(char.IsAsciiLetterLower)))
        {
            errors.Add("untilPhase", "must be up to 10 comma-separated phase names (lower-case letters)");
        }

        long minObservedVersion = 0;
        if (rawVersion.Length > 0 && (!long.TryParse(rawVersion, NumberStyles.None, CultureInfo.InvariantCulture, out minObservedVersion) || minObservedVersion < 0))
        {
            errors.Add("minObservedVersion", "must be a whole number");
        }

        errors.ThrowIfAny();
        return new Wait(TimeSpan.FromSeconds(seconds), phases, minObservedVersion);
    }

    private sealed record Wait(TimeSpan Duration, string[] Phases, long MinObservedVersion)
    {
        public bool IsDone(Resource first, Resource current)
        {
            if (current.Status.ObservedVersion < MinObservedVersion)
            {
                return false;
            }

            if (Phases.Length == 0)
            {
                // No phase named: any change ends the wait (the first read itself is never a change).
                return !ReferenceEquals(first, current) && (current.Version != first.Version || current.UpdatedAt != first.UpdatedAt
                    || current.DeletionRequestedAt != first.DeletionRequestedAt || current.Status.ObservedVersion != first.Status.ObservedVersion
                    || current.Status.Phase != first.Status.Phase || current.Status.Message != first.Status.Message);
            }

            return current.Status.Phase == ResourcePhases.Failed || Phases.Contains(current.Status.Phase, StringComparer.Ordinal);
        }
    }
}
