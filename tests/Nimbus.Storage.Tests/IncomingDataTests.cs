using System.Security.Cryptography;
using Nimbus.Contracts.Signing;
using Nimbus.Storage.Engine;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// A body received into a data file, by both write paths: O_DIRECT (bodies of more than one block) and the page cache.
/// The file holds exactly the body, whatever its length's alignment, with the right block CRCs; a body that ends early
/// or goes on too long leaves no file.
/// </summary>
public sealed class IncomingDataTests : IDisposable
{
    private const int Block = StorageLayout.BlockSize;

    private readonly TempStore _store = new("nimbus-incoming");

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(true, Block + 1)]
    [InlineData(true, 2 * Block)]
    [InlineData(true, (3 * Block) + 4095)]
    [InlineData(true, (5 * Block) + 12345)]
    [InlineData(false, Block + 1)]
    [InlineData(false, (3 * Block) + 4095)]
    [InlineData(false, Block)]
    [InlineData(true, Block)]
    public async Task The_file_holds_exactly_the_body(bool allowDirect, int length)
    {
        var body = RandomNumberGenerator.GetBytes(length);
        using var data = await IncomingData.ReceiveAsync(_store.Layout, new TrickleStream(body), length, allowInline: false, CancellationToken.None, allowDirect);

        // This machine's file system takes O_DIRECT (ext4 in CI): the direct path must really run where it applies.
        data.IsDirect.ShouldBe(allowDirect && length > Block);
        await data.SealAsync();
        data.Length.ShouldBe(length);
        var stored = await File.ReadAllBytesAsync(_store.Layout.PathOf(data.Id));
        stored.Length.ShouldBe(length);
        stored.AsSpan().SequenceEqual(body).ShouldBeTrue();
        var crcs = Enumerable.Range(0, (length + Block - 1) / Block)
            .Select(i => Crc32C.Compute(body.AsSpan(i * Block, Math.Min(Block, length - (i * Block)))))
            .ToArray();
        data.BlockCrcs.ShouldBe(crcs);
    }

    [Theory]
    [InlineData(true, (9 * Block) + 333)]
    [InlineData(false, (9 * Block) + 333)]
    [InlineData(true, (2 * Block) + 1)]
    public async Task A_verified_body_gets_its_md5_and_exact_bytes(bool allowDirect, int length)
    {
        // Through the verifying stream, as a PUT: the MD5 is hashed beside the receive (by one OpenSSL chain with six
        // buffers when no other upload is hashing, else in a lane with two).
        var body = RandomNumberGenerator.GetBytes(length);
        using var verifying = new PayloadVerifyingStream(new TrickleStream(body), new PayloadVerificationOptions { ExpectedLength = length, ComputeMd5 = true, ExpectedMd5 = MD5.HashData(body) });
        using var data = await IncomingData.ReceiveAsync(_store.Layout, verifying, length, allowInline: false, CancellationToken.None, allowDirect);
        data.IsDirect.ShouldBe(allowDirect);
        await data.SealAsync();
        verifying.Md5!.Value.ToArray().ShouldBe(MD5.HashData(body));
        (await File.ReadAllBytesAsync(_store.Layout.PathOf(data.Id))).AsSpan().SequenceEqual(body).ShouldBeTrue();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_short_or_long_body_leaves_no_file(bool allowDirect)
    {
        var length = (2 * Block) + 100;
        var shortBody = RandomNumberGenerator.GetBytes(length - 1);
        var error = await Should.ThrowAsync<IncompleteBodyException>(() => IncomingData.ReceiveAsync(_store.Layout, new TrickleStream(shortBody), length, allowInline: false, CancellationToken.None, allowDirect));
        error.TooLong.ShouldBeFalse();

        var longBody = RandomNumberGenerator.GetBytes(length + 1);
        error = await Should.ThrowAsync<IncompleteBodyException>(() => IncomingData.ReceiveAsync(_store.Layout, new TrickleStream(longBody), length, allowInline: false, CancellationToken.None, allowDirect));
        error.TooLong.ShouldBeTrue();

        Directory.EnumerateFiles(_store.Layout.DataDirectory, "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    /// <summary>A body that arrives in uneven pieces, as from a socket.</summary>
    private sealed class TrickleStream(byte[] body) : Stream
    {
        private int _position;
        private int _turn;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => body.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int[] sizes = [65536, 1000, 300_000, 17, 131_072];
            var take = Math.Min(Math.Min(buffer.Length, sizes[_turn++ % sizes.Length]), body.Length - _position);
            body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
