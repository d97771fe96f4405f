using System.Buffers.Binary;
using System.Net.WebSockets;
using Nimbus.Contracts.Compute;

namespace Nimbus.Sdk.Compute;

/// <summary>
/// A command running in an instance, over a WebSocket: write its input, read its output until <see cref="ReadAsync"/>
/// returns null, then <see cref="ExitCode"/> holds how it ended. One reader and one writer may work at the same time.
/// </summary>
public sealed class ExecSession : IAsyncDisposable, IDisposable
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly byte[] _receiveBuffer = new byte[ExecProtocol.MaxFrameBytes];

    internal ExecSession(WebSocket socket)
    {
        _socket = socket;
    }

    /// <summary>The command's exit code (128 + N when signal N killed it) once <see cref="ReadAsync"/> returned null; null before, or when the session ended without one.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Why the server closed the session without an exit code (e.g. the server stopped); null otherwise.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Sends bytes to the command's standard input (the session must have been opened with <see cref="ExecOptions.Stdin"/>).</summary>
    /// <param name="data">Required. At most 64 KiB; larger input is split.</param>
    /// <param name="cancellationToken">Cancels the send (and aborts the session).</param>
    public async Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        const int chunk = ExecProtocol.MaxFrameBytes - 1;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            await SendAsync(ExecProtocol.Stdin, data.Slice(offset, Math.Min(chunk, data.Length - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the command's standard input: it reads end of file (with a terminal, Ctrl-D is typed).</summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task CloseInputAsync(CancellationToken cancellationToken = default) => SendAsync(ExecProtocol.Stdin, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Gives the terminal a new size (sessions with <see cref="ExecOptions.Tty"/>); the command gets SIGWINCH.</summary>
    /// <param name="rows">Required. Rows, 1 to 65535.</param>
    /// <param name="columns">Required. Columns, 1 to 65535.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task ResizeAsync(int rows, int columns, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)Math.Min(rows, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)Math.Min(columns, ushort.MaxValue));
        return SendAsync(ExecProtocol.Resize, payload, cancellationToken);
    }

    /// <summary>Reads the next piece of output; null when the command ended (<see cref="ExitCode"/>) or the session closed.</summary>
    /// <param name="cancellationToken">Cancels the read (and aborts the session).</param>
    /// <returns>The output, valid until the next call; null at the end.</returns>
    public async Task<ExecOutput?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
            {
                return null;
            }

            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == _receiveBuffer.Length)
                {
                    throw new WebSocketException("the server sent a frame larger than the protocol allows");
                }

                result = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (ExitCode is null)
                {
                    CloseReason = _socket.CloseStatusDescription ?? _socket.CloseStatus?.ToString() ?? "closed";
                }

                await CloseQuietlyAsync().ConfigureAwait(false);
                return null;
            }

            if (length == 0)
            {
                continue;
            }

            var payload = _receiveBuffer.AsMemory(1, length - 1);
            switch (_receiveBuffer[0])
            {
                case ExecProtocol.Stdout:
                    return new ExecOutput(ExecStream.Stdout, payload);
                case ExecProtocol.Stderr:
                    return new ExecOutput(ExecStream.Stderr, payload);
                case ExecProtocol.Exit when payload.Length >= 4:
                    ExitCode = BinaryPrimitives.ReadInt32BigEndian(payload.Span);
                    break;
                default:
                    // A frame type of a later protocol version: skipped.
                    break;
            }
        }
    }

    /// <summary>Closes the session; a command still running is ended by the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseQuietlyAsync().ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Drops the connection at once; a command still running is ended by the server.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        _sending.Dispose();
    }

    private async Task SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var frame = new byte[payload.Length + 1];
        frame[0] = type;
        payload.CopyTo(frame.AsMemory(1));
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server is gone already.
        }
    }
}
