using System.Diagnostics;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// The decompressed bytes of a zstd stream, from Debian's <c>zstd -d</c> (package <c>zstd</c>): the compressed file is
/// fed to its stdin while the reader takes its stdout, so neither side is held in memory or on disk. Started with an
/// argument list, no shell. At the end of its output the exit code is checked, so damaged input fails the import
/// instead of passing for a shorter archive; disposing kills a <c>zstd</c> still running (a reader that stopped early).
/// </summary>
internal sealed class ZstdDecompressStream : Stream
{
    private readonly Process _process;
    private readonly Task _feed;
    private readonly Task<string> _errors;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _what;
    private bool _ended;

    private ZstdDecompressStream(Process process, Stream input, string what)
    {
        _process = process;
        _what = what;
        _errors = process.StandardError.ReadToEndAsync();
        _feed = FeedAsync(input, process.StandardInput.BaseStream, _stop.Token);
    }

    /// <summary>Starts <c>zstd -d -c -q</c> on <paramref name="input"/> (read from its current position).</summary>
    public static ZstdDecompressStream Start(Stream input, string what)
    {
        var program = ProcessRunner.Find("zstd")
            ?? throw new NodeException($"{what} is zstd-compressed and zstd is not installed on the node: apt-get install zstd");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-d", "-c", "-q", "--no-progress" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new NodeException($"could not start {program} to decompress {what}");
        return new ZstdDecompressStream(process, input, what);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _process.StandardOutput.BaseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0 && !_ended && buffer.Length > 0)
        {
            _ended = true;
            await _feed.ConfigureAwait(false);
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (_process.ExitCode != 0)
            {
                var errors = (await _errors.ConfigureAwait(false)).Trim();
                throw new NodeException($"{_what} is not valid zstd data (zstd exited with code {_process.ExitCode}: {RootfsWriter.Show(errors)})");
            }
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            await _feed.ConfigureAwait(false);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
            _stop.Dispose();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            Stop();
            _feed.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
            _process.WaitForExit();
            _process.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Stop()
    {
        _stop.Cancel();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // It had ended.
        }
    }

    /// <summary>Copies the compressed input to zstd's stdin and closes it; zstd ending first (bad data, or killed) ends the feed quietly.</summary>
    private static async Task FeedAsync(Stream input, Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await input.CopyToAsync(stdin, 256 * 1024, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // zstd stopped reading: its exit code tells why.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Broken pipe: zstd is gone.
            }
        }
    }
}
