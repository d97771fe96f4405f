using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

// The durable small-write ceiling of a disk: what an object store that acknowledges a PUT only after
// the data is on disk can reach at best. Each operation writes a new file of SIZE bytes to a temporary
// name, fsyncs it, renames it into place and fsyncs the directory: the sequence a crash-safe PUT needs.
// usage: DurableWrites <dir> [seconds=10] [size=4096] [concurrency=1,32]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: DurableWrites <dir> [seconds=10] [size=4096] [concurrency=1,32]");
    return 2;
}

string root = Path.GetFullPath(args[0]);
double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
int size = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4096;
int[] levels = (args.Length > 3 ? args[3] : "1,32").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
byte[] payload = new byte[size];
Random.Shared.NextBytes(payload);

foreach (int concurrency in levels)
{
    string dir = Path.Combine(root, $"durable-c{concurrency}");
    Directory.CreateDirectory(dir);
    long operations = 0;
    var latencies = new List<double>[concurrency];
    var stopwatch = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    Task[] workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(() =>
    {
        var mine = latencies[worker] = new List<double>(4096);
        for (long n = 0; stopwatch.Elapsed < deadline; n++)
        {
            long start = Stopwatch.GetTimestamp();
            string final = Path.Combine(dir, $"w{worker}-{n}");
            string temporary = final + ".tmp";
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, final);
            Posix.FsyncDirectory(dir);
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Increment(ref operations);
        }
    })).ToArray();
    Task.WaitAll(workers);
    double elapsed = stopwatch.Elapsed.TotalSeconds;
    double[] all = latencies.SelectMany(l => l).Order().ToArray();
    double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"durable-write size={size} concurrency={concurrency} ops={operations} ops/s={operations / elapsed:F0} p50={Percentile(0.50):F2}ms p99={Percentile(0.99):F2}ms"));
    Directory.Delete(dir, recursive: true);
}

return 0;

internal static partial class Posix
{
    private const int ReadOnly = 0;
    private const int DirectoryFlag = 0x10000; // O_DIRECTORY on Linux x86-64 and arm64

    public static void FsyncDirectory(string path)
    {
        int fd = Open(path, ReadOnly | DirectoryFlag);
        if (fd < 0)
        {
            throw new IOException($"open({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync({path}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
