using System.IO.Pipelines;
using System.Security.Cryptography;
using Nimbus.Storage.Engine;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// The verified send of a GET on its own: exact bytes for every range of a multi-block object, a corrupt block never
/// reaches the response, and a client that goes away ends the send.
/// </summary>
public sealed class ObjectReaderTests : IDisposable
{
    private const int Block = StorageLayout.BlockSize;

    private readonly TempStore _store = new("nimbus-reader");

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Every_range_of_a_multi_block_object_is_sent_exactly()
    {
        var body = RandomNumberGenerator.GetBytes((4 * Block) + 12345);
        var segment = Store(body);
        (long Start, long Length)[] ranges =
        [
            (0, body.Length),
            (0, 3 * Block),
            (Block, 2 * Block),
            (10, (3 * Block) - 10),
            ((Block / 2) + 1, (3 * Block) + 7),
            (4 * Block, 12345),
            (body.Length - 1, 1),
            ((2 * Block) - 1, 2),
        ];
        foreach (var (start, length) in ranges)
        {
            var (sent, error) = await SendAsync([segment], start, length);
            error.ShouldBeNull();
            sent.ShouldBe(body.AsSpan((int)start, (int)length).ToArray(), $"range {start}+{length}");
        }
    }

    [Fact]
    public async Task A_corrupt_later_block_stops_the_response_before_any_of_its_bytes()
    {
        var body = RandomNumberGenerator.GetBytes(5 * Block);
        var segment = Store(body);
        await using (var stream = new FileStream(_store.Layout.PathOf(segment.Id), FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = (3 * Block) + 100;
            var b = stream.ReadByte();
            stream.Position = (3 * Block) + 100;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        var (sent, error) = await SendAsync([segment], 0, body.Length);
        error.ShouldBeOfType<CorruptDataException>();
        sent.ShouldBe(body.AsSpan(0, 3 * Block).ToArray());

        // A range that starts past the first block but reaches the corrupt one fails the same way.
        (sent, error) = await SendAsync([segment], Block + 5, 3 * Block);
        error.ShouldBeOfType<CorruptDataException>();
        sent.ShouldBe(body.AsSpan(Block + 5, (2 * Block) - 5).ToArray());
    }

    [Fact]
    public async Task A_client_that_goes_away_ends_the_send_and_releases_the_file()
    {
        var body = RandomNumberGenerator.GetBytes(8 * Block);
        var segment = Store(body);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 2 * Block, resumeWriterThreshold: Block));
        var received = 0L;
        var reader = Task.Run(async () =>
        {
            // Takes two blocks, then goes away like a client closing its connection.
            while (received < 2 * Block)
            {
                var result = await pipe.Reader.ReadAsync();
                received += result.Buffer.Length;
                pipe.Reader.AdvanceTo(result.Buffer.End);
            }

            await pipe.Reader.CompleteAsync();
        });

        await Should.ThrowAsync<OperationCanceledException>(() =>
            ObjectReader.SendAsync(_store.Layout, [segment], 0, body.Length, pipe.Writer, _ => Task.CompletedTask, CancellationToken.None));
        await reader;

        // Nothing reads the file any more: it can be deleted and the directory removed.
        File.Delete(_store.Layout.PathOf(segment.Id));
    }

    private Segment Store(byte[] body)
    {
        var id = DataId.New();
        File.WriteAllBytes(_store.Layout.PathOf(id), body);
        var crcs = new uint[(body.Length + Block - 1) / Block];
        for (var i = 0; i < crcs.Length; i++)
        {
            crcs[i] = Crc32C.Compute(body.AsSpan(i * Block, Math.Min(Block, body.Length - (i * Block))));
        }

        return new Segment(id, body.Length, crcs);
    }

    private async Task<(byte[] Sent, Exception? Error)> SendAsync(IReadOnlyList<Segment> segments, long start, long length)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * Block, resumeWriterThreshold: 2 * Block));
        var collected = new MemoryStream();
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                foreach (var piece in result.Buffer)
                {
                    collected.Write(piece.Span);
                }

                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        });

        Exception? error = null;
        try
        {
            await ObjectReader.SendAsync(_store.Layout, segments, start, length, pipe.Writer, _ => Task.CompletedTask, CancellationToken.None);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        await pipe.Writer.CompleteAsync();
        await reader;
        return (collected.ToArray(), error);
    }
}
