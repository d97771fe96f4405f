using Microsoft.Win32.SafeHandles;

namespace Nimbus.Agent.Linux;

/// <summary>
/// The master side of a pseudo-terminal as a stream. Reads poll with a short timeout rather than block in read(2), so
/// that a terminal kept open by a background process still lets the session end once its command has (<see cref="MarkEnded"/>).
/// </summary>
internal sealed class TerminalStream(SafeFileHandle handle) : Stream
{
    private const int PollMs = 100;
    private volatile bool _ended;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The command ended: reads return what is still buffered, then end of stream.</summary>
    public void MarkEnded() => _ended = true;

    public void Resize(int rows, int columns) => Use(fd => Native.SetWindowSize(fd, rows, columns));

    public override int Read(Span<byte> buffer) => ReadCore(buffer, CancellationToken.None);

    public override int Read(byte[] buffer, int offset, int count) => ReadCore(buffer.AsSpan(offset, count), CancellationToken.None);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Task.Run(() => ReadCore(buffer.Span, cancellationToken), cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = buffer.ToArray();
        Use(fd => Native.WriteAll(fd, copy));
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Task.Run(() => Write(buffer.Span), cancellationToken));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ended = true;
            handle.Dispose();
        }

        base.Dispose(disposing);
    }

    private int ReadCore(Span<byte> buffer, CancellationToken cancellationToken)
    {
        var added = false;
        try
        {
            if (handle.IsClosed)
            {
                return 0;
            }

            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ended = _ended;
                if (!Native.WaitReadable(fd, ended ? 0 : PollMs, out var events))
                {
                    if (ended)
                    {
                        return 0;
                    }

                    continue;
                }

                if ((events & Native.PollIn) != 0)
                {
                    var read = Native.ReadSome(fd, buffer);
                    if (read >= 0)
                    {
                        return read;
                    }

                    if (-read is Native.Eintr or Native.Eagain)
                    {
                        continue;
                    }

                    // EIO: every process closed the terminal.
                    return 0;
                }

                if ((events & (Native.PollHup | Native.PollErr | Native.PollNval)) != 0)
                {
                    return 0;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private void Use(Action<int> action)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            action((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
