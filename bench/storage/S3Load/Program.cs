using System.Diagnostics;
using System.Globalization;
using System.Net;
using Nimbus.Contracts.Signing;

// Load generator of the S3 benchmark: GETs or PUTs of one object size at one concurrency, against Nimbus (signed
// requests: every URL is presigned with SigV4, so the server verifies a signature on each request; PUT bodies are
// UNSIGNED-PAYLOAD, as presigned PUTs are) or against nginx (plain GET, WebDAV PUT). The same client drives both, so
// the ratio compares the servers. The floor servers of bench/storage/KestrelFloor take the plain requests nginx takes
// (target kestrel-memory or kestrel-files, base URL http://127.0.0.1:PORT/memory/ or .../files/). Each worker has its own key; a run lasts SECONDS and every worker finishes at least
// one operation after a one-operation warm-up.
// With S3LOAD_SERVER_PIDS (space-separated pids) it also prints the CPU time those processes spent during the measured
// operations only, per operation (server-cpu-ms/op): the warm-up is excluded, which matters where it is heavy (a GET
// cell's warm-up PUTs every object first; at 64 MiB and c=32 that is 32 PUTs of 64 MiB for some 30 measured GETs).
// usage: S3Load <nginx|kestrel-memory|kestrel-files> <base-url> <get|put> <size> <concurrency> <seconds>
//        S3Load nimbus <s3-endpoint> <access-key> <secret> <get|put> <size> <concurrency> <seconds>
var culture = CultureInfo.InvariantCulture;
if (args.Length < 6 || args[0] is not ("nimbus" or "nginx" or "kestrel-memory" or "kestrel-files"))
{
    Console.Error.WriteLine("usage: S3Load <nginx|kestrel-memory|kestrel-files> <base-url> <get|put> <size> <concurrency> <seconds>\n       S3Load nimbus <s3-endpoint> <access-key> <secret> <get|put> <size> <concurrency> <seconds>");
    return 2;
}

bool nimbus = args[0] == "nimbus";
var endpoint = new Uri(args[1].TrimEnd('/') + "/");
var credentials = nimbus ? new SigV4Credentials(args[2], args[3]) : null;
int rest = nimbus ? 4 : 2;
string op = args[rest];
int size = int.Parse(args[rest + 1], culture);
int concurrency = int.Parse(args[rest + 2], culture);
double seconds = double.Parse(args[rest + 3], culture);
const string Bucket = "bench";
// USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux architecture .NET runs on.
const double ClockTicksPerSecond = 100;

using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = concurrency + 1,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
})
{ Timeout = TimeSpan.FromMinutes(10) };

var payload = new byte[size];
new Random(size).NextBytes(payload);

Uri Url(HttpMethod method, int worker)
{
    var key = $"{Bucket}/{op}-{size}-c{concurrency}/k{worker}";
    var plain = new Uri(endpoint, key);
    return nimbus ? SigV4Signer.Presign(method, plain, credentials!, "local", "s3", DateTimeOffset.UtcNow, TimeSpan.FromHours(2)) : plain;
}

async Task PutAsync(Uri url)
{
    using var content = new ByteArrayContent(payload);
    using var response = await http.PutAsync(url, content);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"PUT {url.AbsolutePath} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

async Task<long> GetAsync(Uri url, byte[] buffer)
{
    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"GET {url.AbsolutePath} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    await using var body = await response.Content.ReadAsStreamAsync();
    long total = 0;
    int n;
    while ((n = await body.ReadAsync(buffer)) > 0)
    {
        total += n;
    }

    if (total != size)
    {
        throw new InvalidOperationException($"GET {url.AbsolutePath} returned {total} bytes, not {size}");
    }

    return total;
}

if (nimbus)
{
    // The bucket, once (409 when an earlier run made it).
    using var create = new HttpRequestMessage(HttpMethod.Put, new Uri(endpoint, Bucket));
    SigV4Signer.Sign(create, credentials!, "local", "s3", DateTimeOffset.UtcNow, SigV4Signer.EmptyPayloadHash);
    using var created = await http.SendAsync(create);
    if (!created.IsSuccessStatusCode && created.StatusCode != HttpStatusCode.Conflict)
    {
        throw new InvalidOperationException($"CreateBucket answered {(int)created.StatusCode}");
    }
}

var putUrls = Enumerable.Range(0, concurrency).Select(w => Url(HttpMethod.Put, w)).ToArray();
var getUrls = Enumerable.Range(0, concurrency).Select(w => Url(HttpMethod.Get, w)).ToArray();

// Warm-up: connections open, objects exist (GETs read what these PUTs wrote), page cache and JIT warm.
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
{
    await PutAsync(putUrls[w]);
    if (op == "get")
    {
        await GetAsync(getUrls[w], new byte[256 * 1024]);
    }
}));

var serverPids = (Environment.GetEnvironmentVariable("S3LOAD_SERVER_PIDS") ?? "")
    .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, culture)).ToArray();
var latencies = new List<double>[concurrency];
long operations = 0;
long serverTicksBefore = ServerTicks(serverPids);
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
{
    var mine = latencies[w] = new List<double>(1024);
    var buffer = new byte[256 * 1024];
    while (clock.Elapsed.TotalSeconds < seconds || mine.Count == 0)
    {
        long start = Stopwatch.GetTimestamp();
        if (op == "put")
        {
            await PutAsync(putUrls[w]);
        }
        else
        {
            await GetAsync(getUrls[w], buffer);
        }

        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Interlocked.Increment(ref operations);
    }
})));
double elapsed = clock.Elapsed.TotalSeconds;
long serverTicks = ServerTicks(serverPids) - serverTicksBefore;
double[] all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine(string.Create(culture,
    $"target={args[0]} op={op} size={size} concurrency={concurrency} ops={operations} seconds={elapsed:F1} ops/s={operations / elapsed:F1} MB/s={operations * (double)size / elapsed / 1e6:F1} p50={Percentile(0.5):F2}ms p99={Percentile(0.99):F2}ms")
    + (serverPids.Length > 0 ? string.Create(culture, $" server-cpu-ms/op={serverTicks * 1000.0 / ClockTicksPerSecond / operations:F3}") : ""));
return 0;

// utime + stime of the processes, in clock ticks (/proc/PID/stat fields 14 and 15, after the parenthesised name).
static long ServerTicks(int[] pids)
{
    long total = 0;
    foreach (var pid in pids)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    return total;
}

