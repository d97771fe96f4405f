using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Nimbus.Storage.Engine;

// The disk's and the CPU's floors under a durable PUT: what an object store that acknowledges a PUT only after the data
// is on disk, and whose ETag is the MD5 of the body, can reach at best on this machine.
//   rename (default): each operation writes a new file of SIZE bytes to a temporary name, fsyncs it, renames it into
//     place and fsyncs the directory: the sequence a crash-safe small PUT needs (the durable small-write ceiling).
//   fdatasync: each operation creates a new file under its final name, writes SIZE bytes and fdatasyncs it while the
//     directory is fsynced on another thread, then waits for both: the sequence of Nimbus's large-object PUT
//     (docs/storage-protocol.md, "Durability of a PUT"), with nothing else (no receive, no hash, no index). The worker's
//     previous file is deleted after each operation, outside its time, so the disk does not fill.
//   --md5: the time to MD5 one body of SIZE bytes on one core (System.Security.Cryptography.MD5, which is OpenSSL's):
//     a PUT's ETag cannot be known sooner after its first byte, whatever the server (one MD5 is one serial chain).
// usage: DurableWrites <dir> [seconds=10] [size=4096] [concurrency=1,32] [rename|fdatasync]
//        DurableWrites --md5 <size[,size...]> [seconds=2]
var culture = CultureInfo.InvariantCulture;
if (args.Length < 1 || (args[0] == "--md5" && args.Length < 2))
{
    Console.Error.WriteLine("usage: DurableWrites <dir> [seconds=10] [size=4096] [concurrency=1,32] [rename|fdatasync]\n       DurableWrites --md5 <size[,size...]> [seconds=2]");
    return 2;
}

if (args[0] == "--md5")
{
    double md5Seconds = args.Length > 2 ? double.Parse(args[2], culture) : 2;
    foreach (var size in args[1].Split(',').Select(s => int.Parse(s, culture)))
    {
        var body = new byte[size];
        Random.Shared.NextBytes(body);
        _ = MD5.HashData(body); // first call: OpenSSL's initialisation and the JIT, not counted
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < md5Seconds || times.Count < 5)
        {
            long start = Stopwatch.GetTimestamp();
            _ = MD5.HashData(body);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine(string.Create(culture,
            $"md5 size={size} bodies={times.Count} ms={median:F3} min-ms={times[0]:F3} MB/s={size / median / 1e3:F0}"));
    }

    return 0;
}

string root = Path.GetFullPath(args[0]);
double seconds = args.Length > 1 ? double.Parse(args[1], culture) : 10;
int objectSize = args.Length > 2 ? int.Parse(args[2], culture) : 4096;
int[] levels = (args.Length > 3 ? args[3] : "1,32").Split(',').Select(s => int.Parse(s, culture)).ToArray();
string mode = args.Length > 4 ? args[4] : "rename";
if (mode is not ("rename" or "fdatasync"))
{
    Console.Error.WriteLine($"DurableWrites: mode must be rename or fdatasync, not {mode}");
    return 2;
}

byte[] payload = new byte[objectSize];
Random.Shared.NextBytes(payload);

foreach (int concurrency in levels)
{
    string dir = Path.Combine(root, $"durable-{mode}-{objectSize}-c{concurrency}");
    Directory.CreateDirectory(dir);
    long operations = 0;
    var latencies = new List<double>[concurrency];
    var stopwatch = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    Task[] workers = Enumerable.Range(0, concurrency).Select(worker => Task.Factory.StartNew(() =>
    {
        var mine = latencies[worker] = new List<double>(4096);
        string? previous = null;
        for (long n = 0; stopwatch.Elapsed < deadline || mine.Count == 0; n++)
        {
            long start = Stopwatch.GetTimestamp();
            string final = Path.Combine(dir, $"w{worker}-{n}");
            if (mode == "rename")
            {
                string temporary = final + ".tmp";
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    file.Write(payload);
                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, final);
                NativeIo.SyncDirectory(dir);
            }
            else
            {
                using var file = File.OpenHandle(final, FileMode.CreateNew, FileAccess.Write);
                var directorySynced = Task.Factory.StartNew(() => NativeIo.SyncDirectory(dir), TaskCreationOptions.LongRunning);
                RandomAccess.Write(file, payload, 0);
                NativeIo.SyncData(file);
                directorySynced.GetAwaiter().GetResult();
            }

            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Increment(ref operations);
            if (mode == "fdatasync")
            {
                if (previous is not null)
                {
                    File.Delete(previous);
                }

                previous = final;
            }
        }
    }, TaskCreationOptions.LongRunning)).ToArray();
    Task.WaitAll(workers);
    double elapsed = stopwatch.Elapsed.TotalSeconds;
    double[] all = latencies.SelectMany(l => l).Order().ToArray();
    double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
    Console.WriteLine(string.Create(culture,
        $"durable-write sync={mode} size={objectSize} concurrency={concurrency} ops={operations} ops/s={operations / elapsed:F1} MB/s={operations * (double)objectSize / elapsed / 1e6:F1} p50={Percentile(0.50):F2}ms p99={Percentile(0.99):F2}ms"));
    Directory.Delete(dir, recursive: true);
}

return 0;
