using System.Collections.Concurrent;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Dedicated threads for the blocking syncs of uploads (the data file's fdatasync, its directory's fsync) that run
/// while the body is still arriving. On the thread pool such a sync held one of its few workers (two on a two-core
/// machine) for the length of a disk flush, and the receive it was meant to overlap waited for a worker
/// (strace: the body's next pwrite ran on the same thread right after a 21 ms directory fsync). Sixteen threads let
/// the syncs of concurrent uploads wait together, so the file system's journal commits them in one go.
/// </summary>
internal static class SyncThreads
{
    private const int Count = 16;

    private static readonly BlockingCollection<(Action Sync, TaskCompletionSource<Exception?> Done)> s_queue = Start();

    /// <summary>
    /// Runs <paramref name="sync"/> on a sync thread. Its I/O failure is returned, not thrown, so that an upload that
    /// fails meanwhile and never awaits it leaves no unobserved exception behind.
    /// </summary>
    public static Task<Exception?> Run(Action sync)
    {
        var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_queue.Add((sync, done));
        return done.Task;
    }

    private static BlockingCollection<(Action, TaskCompletionSource<Exception?>)> Start()
    {
        var queue = new BlockingCollection<(Action, TaskCompletionSource<Exception?>)>();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() => Work(queue)) { IsBackground = true, Name = "storage-sync" }.Start();
        }

        return queue;
    }

    private static void Work(BlockingCollection<(Action Sync, TaskCompletionSource<Exception?> Done)> queue)
    {
        foreach (var (sync, done) in queue.GetConsumingEnumerable())
        {
            try
            {
                sync();
                done.SetResult(null);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // ObjectDisposedException: the upload failed and closed its file while the sync was starting.
                done.SetResult(ex);
            }
        }
    }
}
