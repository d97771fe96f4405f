using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Win32.SafeHandles;
using Nimbus.Storage.Engine;

// The Kestrel floor of the S3 benchmark: what plain Kestrel does with the same transport settings as nimbus-server
// and none of its work (no SigV4, no IAM, no index, no checksums, no MD5, no fsync, no audit). Beside nginx and Nimbus
// in every cell it splits Nimbus's gap to nginx into the part Kestrel itself costs on this machine (kestrel-files /
// nginx) and the part that is Nimbus's own code (Nimbus / kestrel-files). Two variants, by the URL's first segment,
// on the URLs S3Load uses for nginx (base URL http://127.0.0.1:PORT/memory/ or .../files/):
//   /memory/<key>  PUT reads the body and drops it (remembering its length); GET answers a preloaded array of that
//                  length from memory: Kestrel's HTTP/1.1 and the kernel's TCP path, nothing else;
//   /files/<key>   PUT writes the body to a temporary file and renames it to DIR/<key>, without fsync (what nginx's
//                  dav PUT does); GET preads DIR/<key> into the response, 1 MiB at a time (nginx uses sendfile,
//                  which Kestrel cannot: see docs/benchmarks.md, "Why not sendfile").
//   /durable/<key> PUT only: the least a server must do to acknowledge a PUT durably, as Nimbus does it without its
//                  index, hashes or checks: a new file under a new name (O_EXCL) whose directory is fsynced meanwhile,
//                  the body written as it arrives with its writeback started, fdatasync, then the answer; the key's
//                  previous file is removed after. The floor of any server that fsyncs every PUT before answering.
// Prints "listening on http://127.0.0.1:PORT/" once it takes requests; stops on SIGINT or SIGTERM.
// usage: KestrelFloor <dir> [port=0]

// As nimbus-server: socket completions run on the socket engine's epoll threads (read when the first socket is made).
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: KestrelFloor <dir> [port=0]");
    return 2;
}

string root = Path.GetFullPath(args[0]);
int port = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
string temporaryDirectory = Path.Combine(root, ".tmp");
Directory.CreateDirectory(temporaryDirectory);
string durableDirectory = Path.Combine(root, ".durable");
Directory.CreateDirectory(durableDirectory);
var durableNames = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
// A response is written in pieces of this size, each flushed (back-pressure), as Nimbus writes its 1 MiB blocks.
const int Piece = 1024 * 1024;
long temporaryNames = 0;
var lengths = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var bodies = new ConcurrentDictionary<long, byte[]>();

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
    kestrel.Listen(IPAddress.Loopback, port);
});
// nimbus-server's transport settings (src/Nimbus.Server/Hosting/NimbusHost.cs): 2 MiB of response buffering per
// connection, requests continue on the thread that completed their socket read, 64 KiB socket buffers.
builder.WebHost.UseSockets(sockets =>
{
    sockets.MaxWriteBufferSize = 2 * 1024 * 1024;
    sockets.UnsafePreferInlineScheduling = true;
});
builder.Services.AddSingleton<IMemoryPoolFactory<byte>, Nimbus.Server.Hosting.LargeBlockMemoryPoolFactory>();

var app = builder.Build();
app.Run(async context =>
{
    var request = context.Request;
    var response = context.Response;
    var path = request.Path.Value ?? "";
    bool files = path.StartsWith("/files/", StringComparison.Ordinal);
    bool durable = path.StartsWith("/durable/", StringComparison.Ordinal);
    if (!files && !durable && !path.StartsWith("/memory/", StringComparison.Ordinal))
    {
        response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }

    var key = path[(path.IndexOf('/', 1) + 1)..];
    var file = Path.GetFullPath(Path.Combine(root, key));
    if (key.Length == 0 || !file.StartsWith(root + "/", StringComparison.Ordinal) || file.StartsWith(temporaryDirectory + "/", StringComparison.Ordinal))
    {
        response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    if (durable)
    {
        if (!HttpMethods.IsPut(request.Method))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var name = Path.Combine(durableDirectory, key.Replace('/', '_') + "." + Interlocked.Increment(ref temporaryNames).ToString(CultureInfo.InvariantCulture));
        using (var handle = File.OpenHandle(name, FileMode.CreateNew, FileAccess.Write))
        {
            var directorySync = Task.Run(() => NativeIo.SyncDirectory(durableDirectory));
            await WriteBodyAsync(request.BodyReader, handle, context.RequestAborted, startWriteback: true);
            NativeIo.SyncData(handle);
            await directorySync;
        }

        response.StatusCode = StatusCodes.Status201Created;
        if (durableNames.TryGetValue(key, out var previous))
        {
            File.Delete(previous);
        }

        durableNames[key] = name;
        return;
    }

    if (HttpMethods.IsPut(request.Method))
    {
        if (files)
        {
            // nginx's dav PUT: the body into a temporary file on the same disk, renamed into place, no fsync.
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = Path.Combine(temporaryDirectory, Interlocked.Increment(ref temporaryNames).ToString(CultureInfo.InvariantCulture));
            using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await WriteBodyAsync(request.BodyReader, handle, context.RequestAborted);
            }

            File.Move(temporary, file, overwrite: true);
        }
        else
        {
            var length = await DropBodyAsync(request.BodyReader, context.RequestAborted);
            lengths[key] = length;
            bodies.GetOrAdd(length, l => new byte[l]);
        }

        response.StatusCode = StatusCodes.Status201Created;
        return;
    }

    if (!HttpMethods.IsGet(request.Method))
    {
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return;
    }

    if (files)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using (handle)
        {
            await SendAsync(response, RandomAccess.GetLength(handle), handle, null, context.RequestAborted);
        }
    }
    else if (lengths.TryGetValue(key, out var length))
    {
        await SendAsync(response, length, null, bodies[length], context.RequestAborted);
    }
    else
    {
        response.StatusCode = StatusCodes.Status404NotFound;
    }
});

await app.StartAsync();
var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
Console.WriteLine($"listening on http://127.0.0.1:{bound.Port}/");
await app.WaitForShutdownAsync();
return 0;

// The body, written as it arrives, at least WriteSize at a time (the pipe's segments in one gather pwrite, synchronous
// on the request's thread, as an nginx worker writes its 1 MiB body buffer): per 64 KiB receive it was 1,025 pwritev
// per 64 MiB PUT. With startWriteback, 256 KiB at a time, each piece's writeback started at once (Nimbus's pieces).
static async Task WriteBodyAsync(PipeReader body, SafeFileHandle handle, CancellationToken cancellationToken, bool startWriteback = false)
{
    // Below Kestrel's request buffer limit (1 MiB), past which it stops reading the socket.
    int WriteSize = startWriteback ? 256 * 1024 : 512 * 1024;
    var segments = new List<ReadOnlyMemory<byte>>(32);
    long offset = 0;
    while (true)
    {
        var read = await body.ReadAsync(cancellationToken);
        if (!read.IsCompleted && read.Buffer.Length < WriteSize)
        {
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            continue;
        }

        segments.Clear();
        foreach (var segment in read.Buffer)
        {
            segments.Add(segment);
        }

        RandomAccess.Write(handle, segments, offset);
        if (startWriteback)
        {
            NativeIo.StartWriteback(handle, offset, read.Buffer.Length);
        }

        offset += read.Buffer.Length;
        body.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            return;
        }
    }
}

static async Task<long> DropBodyAsync(PipeReader body, CancellationToken cancellationToken)
{
    long length = 0;
    while (true)
    {
        var read = await body.ReadAsync(cancellationToken);
        length += read.Buffer.Length;
        body.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            return length;
        }
    }
}

// The response in 1 MiB pieces straight into the response pipe's memory (a pread or a copy from the preloaded array).
// A one-piece response leaves with its headers when the request ends; a longer one is flushed after every piece
// (Kestrel does not send what is left buffered at the end of a response that was flushed before, see ObjectReader).
static async Task SendAsync(HttpResponse response, long length, SafeFileHandle? handle, byte[]? memory, CancellationToken cancellationToken)
{
    response.ContentLength = length;
    var output = response.BodyWriter;
    for (long offset = 0; offset < length;)
    {
        var piece = (int)Math.Min(Piece, length - offset);
        var span = output.GetSpan(piece)[..piece];
        if (handle is null)
        {
            memory.AsSpan((int)offset, piece).CopyTo(span);
        }
        else
        {
            for (var filled = 0; filled < piece;)
            {
                var read = RandomAccess.Read(handle, span[filled..], offset + filled);
                if (read == 0)
                {
                    throw new IOException("the file is shorter than its length");
                }

                filled += read;
            }
        }

        output.Advance(piece);
        offset += piece;
        if (length > Piece)
        {
            var flushed = await output.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }
}
