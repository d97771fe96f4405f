namespace Nimbus.Storage.Engine;

/// <summary>
/// Dedicated threads for the blocking syncs of uploads (the data file's fdatasync, its directory's fsync) that run
/// while the body is still arriving. On the thread pool such a sync held one of its few workers (two on a two-core
/// machine) for the length of a disk flush, and the receive it was meant to overlap waited for a worker
/// (strace: the body's next pwrite ran on the same thread right after a 21 ms directory fsync). Sixteen threads let
/// the syncs of concurrent uploads wait together, so the file system's journal commits them in one go. They also
/// write the pieces of a lone small upload whose MD5 takes the request's thread (IncomingData) and unlink the data
/// files a commit dropped (IndexCommitter).
/// </summary>
internal static class SyncThreads
{
    private const int Count = 16;

    // A plain queue under a monitor: a sync thread with nothing to do blocks at once in Monitor.Wait. The
    // BlockingCollection used before waits on a SemaphoreSlim that spins (sched_yield) before it blocks, and with
    // sixteen idle threads a lone 1 MiB PUT paid about a hundred sched_yield calls (strace -f).
    private static readonly Queue<(Action Sync, TaskCompletionSource<Exception?> Done)> s_queue = Start();

    /// <summary>
    /// Runs <paramref name="sync"/> on a sync thread. Its I/O failure is returned, not thrown, so that an upload that
    /// fails meanwhile and never awaits it leaves no unobserved exception behind. With <paramref name="continueHere"/>
    /// the awaiting code continues on the sync thread (for the short step from a data file's sync to its index commit
    /// submission: a hop to the thread pool cost a lone 1 MiB PUT about 200 µs here); otherwise on the thread pool.
    /// </summary>
    public static Task<Exception?> Run(Action sync, bool continueHere = false)
    {
        var done = new TaskCompletionSource<Exception?>(continueHere ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        lock (s_queue)
        {
            s_queue.Enqueue((sync, done));
            Monitor.Pulse(s_queue);
        }

        return done.Task;
    }

    private static Queue<(Action, TaskCompletionSource<Exception?>)> Start()
    {
        var queue = new Queue<(Action, TaskCompletionSource<Exception?>)>();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() => Work(queue)) { IsBackground = true, Name = "storage-sync" }.Start();
        }

        return queue;
    }

    private static void Work(Queue<(Action Sync, TaskCompletionSource<Exception?> Done)> queue)
    {
        while (true)
        {
            (Action Sync, TaskCompletionSource<Exception?> Done) item;
            lock (queue)
            {
                while (queue.Count == 0)
                {
                    Monitor.Wait(queue);
                }

                item = queue.Dequeue();
            }

            try
            {
                item.Sync();
                item.Done.SetResult(null);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // ObjectDisposedException: the upload failed and closed its file while the sync was starting.
                item.Done.SetResult(ex);
            }
        }
    }
}
