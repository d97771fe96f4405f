using System.Collections.Concurrent;
using System.Security.Cryptography;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Storage;
using Nimbus.Sdk;
using Nimbus.Sdk.S3;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>
/// The durability promise under a real crash: the server binary takes PUTs from several clients at once, two uploads
/// stop half-way through their bodies, and the process is killed with SIGKILL; after a restart on the same data
/// directory every acknowledged object is there with its exact bytes and ETag, nothing partial is visible, and no
/// temporary or orphaned file is left.
/// </summary>
public sealed class StorageCrashTests : ServerBinaryTest
{
    private const int SigKill = 9;
    private const string Bucket = "crash";
    private const int InlineLimit = 32 * 1024;

    private static readonly int[] Sizes = [0, 1, 4096, 100_000, (1024 * 1024) + 7, 3 * 1024 * 1024];

    [Fact]
    public async Task Acknowledged_puts_survive_sigkill_mid_stream_and_nothing_partial_is_visible()
    {
        var (server, api, s3Endpoint) = await StartServerAsync();
        var credentials = ReadAdminCredentials();
        using (var rest = new NimbusClient(new NimbusClientOptions { Endpoint = api, Credentials = credentials }))
        {
            await rest.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = Bucket });
        }

        using var s3 = Client(s3Endpoint, credentials);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var started = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();

        // Set just before the kill: from then on a failed request is the crash's doing, not a bug.
        var crashing = 0;

        // Writers: PUT after PUT of deterministic content until the crash; the ETag answered is the acknowledgement.
        var writers = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; Volatile.Read(ref crashing) == 0; n++)
            {
                var key = $"w{worker}/{n:D5}";
                var seed = (worker * 100_000) + n;
                started[key] = seed;
                var content = Content(seed);
                try
                {
                    var etag = await s3.PutObjectAsync(Bucket, key, content, cancellationToken: stop.Token);
                    etag.ShouldBe(Md5ETag(content));
                    acknowledged[key] = etag;
                }
                catch (Exception) when (Volatile.Read(ref crashing) == 1)
                {
                    return;
                }
            }
        })).ToList();

        // Two uploads that send half their body and then hang: the crash finds them mid-stream.
        var halfSent = new List<Task>();
        var hanging = new List<Task>();
        for (var i = 0; i < 2; i++)
        {
            var body = new HalfThenHangStream(8 * 1024 * 1024, stop.Token);
            halfSent.Add(body.HalfSent);
            hanging.Add(Task.Run(async () =>
            {
                try
                {
                    await s3.PutObjectAsync(Bucket, $"partial/{i}", body, body.Length, new S3PutOptions { PayloadSigning = S3PayloadSigning.Unsigned }, stop.Token);
                }
                catch (Exception) when (Volatile.Read(ref crashing) == 1)
                {
                    // Cut by the crash, as intended.
                }
            }));
        }

        await Task.WhenAll(halfSent).WaitAsync(TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(() => Task.FromResult(acknowledged.Count), count => count >= 60, TimeSpan.FromMinutes(3), "60 acknowledged PUTs before the crash");
        Volatile.Write(ref crashing, 1);
        server.Signal(SigKill);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var acked = new Dictionary<string, string>(acknowledged);
        await stop.CancelAsync();
        await Task.WhenAll([.. writers, .. hanging]).WaitAsync(TimeSpan.FromSeconds(60));

        // Uploads are written under their final names in data/ (only the index makes them visible): the two half-sent
        // ones are among the files there at the crash, and no stored object refers to them.
        var filesAtCrash = Directory.EnumerateFiles(Path.Combine(DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories).Count();

        var (_, _, restarted) = await StartServerAsync();
        using var after = Client(restarted, credentials);

        Directory.EnumerateFileSystemEntries(Path.Combine(DataDirectory, "storage", "tmp")).ShouldBeEmpty("interrupted uploads are cleaned at start-up");
        var listed = new List<S3ObjectSummary>();
        await foreach (var item in after.ListAllObjectsAsync(Bucket))
        {
            listed.Add(item);
        }

        var listedKeys = listed.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        acked.Keys.Where(k => !listedKeys.Contains(k)).ShouldBeEmpty("every acknowledged object survives the crash");
        listedKeys.Where(k => k.StartsWith("partial/", StringComparison.Ordinal)).ShouldBeEmpty("no half-received upload is visible");
        foreach (var item in listed)
        {
            // An object whose PUT committed just before the kill, unacknowledged, may be there: then it is whole.
            started.ContainsKey(item.Key).ShouldBeTrue($"{item.Key} was never written");
            var expected = Content(started[item.Key]);
            item.Size.ShouldBe(expected.Length, item.Key);
            item.ETag.ShouldBe(Md5ETag(expected), item.Key);
            using var body = new MemoryStream();
            var info = await after.GetObjectAsync(Bucket, item.Key, body);
            body.ToArray().ShouldBe(expected, item.Key);
            if (acked.TryGetValue(item.Key, out var etag))
            {
                info.ETag.ShouldBe(etag, item.Key);
            }
        }

        // Data files whose index row never committed (the half-sent uploads, and any upload cut by the kill) are
        // orphans, swept in the background. Objects up to 32 KiB (0, 1 and 4,096 bytes here) live in their index row
        // and have no file.
        var withFiles = listed.Count(o => o.Size > InlineLimit);
        filesAtCrash.ShouldBeGreaterThanOrEqualTo(withFiles + 2, "the two half-sent uploads were being written when the server died");
        await Poll.UntilAsync(
            () => Task.FromResult(Directory.EnumerateFiles(Path.Combine(DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories).Count()),
            files => files == withFiles,
            TimeSpan.FromSeconds(60),
            $"one data file per stored object over 32 KiB ({withFiles}), no orphans");
    }

    private static S3Client Client(Uri endpoint, SigV4Credentials credentials) =>
        new(new S3ClientOptions { Endpoint = endpoint, Credentials = credentials, MaxRetries = 0, Timeout = TimeSpan.FromMinutes(3) });

    private static byte[] Content(int seed)
    {
        var bytes = new byte[Sizes[seed % Sizes.Length]];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Md5ETag(byte[] content) => "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"";

    /// <summary>A body that hands over its first half, then waits (until cancelled) for ever: an upload cut mid-stream.</summary>
    private sealed class HalfThenHangStream(int length, CancellationToken hang) : Stream
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task HalfSent => _halfSent.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= length / 2)
            {
                _halfSent.TrySetResult();
                using var both = CancellationTokenSource.CreateLinkedTokenSource(hang, cancellationToken);
                await Task.Delay(Timeout.Infinite, both.Token);
            }

            var n = Math.Min(buffer.Length, (length / 2) - _position);
            buffer.Span[..n].Fill(0x5a);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
