using System.Buffers.Binary;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Storage;
using Nimbus.Sdk;
using Nimbus.Sdk.S3;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>
/// Streaming end to end: a 1 GiB PUT and GET through the server binary raise its peak resident memory by far less than
/// the object (the promise is under 64 MiB extra for any size up to 5 GiB), and every byte comes back where it was.
/// </summary>
public sealed class StorageMemoryTests : ServerBinaryTest
{
    private const long Size = 1L << 30;
    private const long MaxExtraBytes = 64L << 20;

    [Fact]
    public async Task A_1_GiB_put_and_get_stream_through_bounded_server_memory()
    {
        var (server, api, s3Endpoint) = await StartServerAsync();
        var credentials = ReadAdminCredentials();
        using (var rest = new NimbusClient(new NimbusClientOptions { Endpoint = api, Credentials = credentials }))
        {
            await rest.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = "big" });
        }

        using var s3 = new S3Client(new S3ClientOptions { Endpoint = s3Endpoint, Credentials = credentials, MaxRetries = 0, Timeout = TimeSpan.FromMinutes(10) });
        await s3.PutObjectAsync("big", "warm-up", new byte[3 << 20]);

        // From here the peak resident set counts only what the big transfer adds.
        await File.WriteAllTextAsync($"/proc/{server.Id}/clear_refs", "5");
        var before = StatusKib(server.Id, "VmRSS:");

        await s3.PutObjectAsync("big", "object", new PatternStream(Size), Size);
        var afterPut = StatusKib(server.Id, "VmHWM:");
        var check = new PatternCheckStream();
        var info = await s3.GetObjectAsync("big", "object", check);
        var afterGet = StatusKib(server.Id, "VmHWM:");

        info.ContentLength.ShouldBe(Size);
        check.Checked.ShouldBe(Size);
        ((afterPut - before) * 1024).ShouldBeLessThan(MaxExtraBytes, $"peak RSS {afterPut} KiB after the PUT, {before} KiB before");
        ((afterGet - before) * 1024).ShouldBeLessThan(MaxExtraBytes, $"peak RSS {afterGet} KiB after the GET, {before} KiB before");
    }

    private static long StatusKib(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The object's bytes at any offset: a fixed random MiB repeated, with every 4 KiB block starting with its own
    /// offset, so a block served from the wrong place does not compare equal.
    /// </summary>
    private static class Pattern
    {
        private const int BlockSize = 4096;
        private static readonly byte[] Base = RandomBase();

        public static void Fill(long offset, Span<byte> destination)
        {
            for (var done = 0; done < destination.Length;)
            {
                var at = (int)((offset + done) % Base.Length);
                var n = Math.Min(destination.Length - done, Base.Length - at);
                Base.AsSpan(at, n).CopyTo(destination[done..]);
                done += n;
            }

            Span<byte> stamp = stackalloc byte[8];
            var first = (offset + BlockSize - 1) / BlockSize * BlockSize;
            for (var block = first - BlockSize; block < offset + destination.Length; block += BlockSize)
            {
                if (block + stamp.Length <= offset)
                {
                    continue;
                }

                BinaryPrimitives.WriteInt64LittleEndian(stamp, block);
                for (var i = 0; i < stamp.Length; i++)
                {
                    var position = block + i - offset;
                    if (position >= 0 && position < destination.Length)
                    {
                        destination[(int)position] = stamp[i];
                    }
                }
            }
        }

        private static byte[] RandomBase()
        {
            var bytes = new byte[1 << 20];
            new Random(20261123).NextBytes(bytes);
            return bytes;
        }
    }

    /// <summary>A read-once body of <see cref="Pattern"/> bytes.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            Pattern.Fill(_position, buffer[..n]);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A sink that compares what it is given with the <see cref="Pattern"/> at the same offset.</summary>
    private sealed class PatternCheckStream : Stream
    {
        private byte[] _expected = new byte[256 * 1024];

        public long Checked { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Checked;

        public override long Position { get => Checked; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_expected.Length < buffer.Length)
            {
                _expected = new byte[buffer.Length];
            }

            var expected = _expected.AsSpan(0, buffer.Length);
            Pattern.Fill(Checked, expected);
            if (!buffer.SequenceEqual(expected))
            {
                throw new IOException($"the bytes at offset {Checked} (+{buffer.Length}) are not the ones uploaded");
            }

            Checked += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
