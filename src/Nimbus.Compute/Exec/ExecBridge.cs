using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;

namespace Nimbus.Compute.Exec;

/// <summary>
/// Carries one exec session between its WebSocket and the process (the frames of <see cref="ExecProtocol"/>): output
/// and error out as they come, input and terminal sizes in, then the exit code and a normal close. A client that
/// leaves before the end ends the process.
/// </summary>
internal sealed class ExecBridge(WebSocket socket, IExecProcess process)
{
    private static readonly TimeSpan OutputDrainTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CloseWaitTime = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private bool _finished;

    /// <summary>Runs the session; the exit code, or null when the client left (or the server stopped) first.</summary>
    public async Task<int?> RunAsync(bool stdin, CancellationToken cancellationToken)
    {
        if (!stdin)
        {
            process.CloseInput();
        }

        using var pumps = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdout = PumpAsync(process.Output, ExecProtocol.Stdout, pumps.Token);
        var stderr = process.Error is { } error ? PumpAsync(error, ExecProtocol.Stderr, pumps.Token) : Task.CompletedTask;
        // Receiving is not cancelled with the pumps: cancelling a WebSocket receive aborts the socket.
        var receive = ReceiveAsync(stdin, cancellationToken);
        try
        {
            await Task.WhenAny(process.Exited, receive, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            if (!process.Exited.IsCompleted)
            {
                // The client closed, vanished or broke the protocol, or the server stops: the command ends with the session.
                process.Kill();
                await pumps.CancelAsync().ConfigureAwait(false);
                await CloseAsync(cancellationToken.IsCancellationRequested ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure, "session ended").ConfigureAwait(false);
                return null;
            }

            var code = await process.Exited.ConfigureAwait(false);

            // What the command wrote last is still in the pipes; a background process holding them open must not hold the session.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputDrainTime, CancellationToken.None)).ConfigureAwait(false);
            await pumps.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputDrainTime, CancellationToken.None)).ConfigureAwait(false);
            var exit = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(exit, code);
            await SendAsync(ExecProtocol.Exit, exit).ConfigureAwait(false);
            await CloseAsync(WebSocketCloseStatus.NormalClosure, "exited").ConfigureAwait(false);
            await Task.WhenAny(receive, Task.Delay(CloseWaitTime, CancellationToken.None)).ConfigureAwait(false);
            return code;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            process.Kill();
            return null;
        }
    }

    private async Task PumpAsync(Stream from, byte type, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(1, buffer.Length - 1), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                buffer[0] = type;
                if (!await SendRawAsync(buffer.AsMemory(0, read + 1), final: false).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The process or the client is gone: the session's end is decided in RunAsync.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the client's frames until it closes; returns on close, disconnect or a protocol error (after closing the socket).</summary>
    private async Task ReceiveAsync(bool stdin, CancellationToken cancellationToken)
    {
        var buffer = new byte[ExecProtocol.MaxFrameBytes];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"frames are at most {ExecProtocol.MaxFrameBytes} bytes").ConfigureAwait(false);
                        return;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Binary || length == 0)
                {
                    await CloseAsync(WebSocketCloseStatus.InvalidMessageType, "frames are binary: a type byte, then the payload").ConfigureAwait(false);
                    return;
                }

                var payload = buffer.AsMemory(1, length - 1);
                switch (buffer[0])
                {
                    case ExecProtocol.Stdin when !stdin:
                        await CloseAsync(WebSocketCloseStatus.PolicyViolation, "this session was opened without stdin=true").ConfigureAwait(false);
                        return;
                    case ExecProtocol.Stdin when payload.Length == 0:
                        process.CloseInput();
                        break;
                    case ExecProtocol.Stdin:
                        await WriteInputAsync(payload, cancellationToken).ConfigureAwait(false);
                        break;
                    case ExecProtocol.Resize when payload.Length == 4:
                        var rows = BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
                        var columns = BinaryPrimitives.ReadUInt16BigEndian(payload.Span[2..]);
                        if (rows > 0 && columns > 0)
                        {
                            process.Resize(rows, columns);
                        }

                        break;
                    default:
                        await CloseAsync(WebSocketCloseStatus.ProtocolError, $"unknown frame type {buffer[0]} or bad payload length {payload.Length}").ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client vanished (or the session is over): the end is decided in RunAsync.
        }
    }

    private async Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await process.Input.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await process.Input.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process closed its input or ended: what the client still types has nowhere to go.
        }
    }

    /// <summary>The exit frame: the last one; output that comes later is dropped.</summary>
    private async Task SendAsync(byte type, ReadOnlyMemory<byte> payload)
    {
        var frame = new byte[payload.Length + 1];
        frame[0] = type;
        payload.CopyTo(frame.AsMemory(1));
        await SendRawAsync(frame, final: true).ConfigureAwait(false);
    }

    /// <summary>Sends one frame; false once the exit frame went (nothing follows it). Sends are never cancelled: that would abort the socket.</summary>
    private async Task<bool> SendRawAsync(ReadOnlyMemory<byte> frame, bool final)
    {
        await _sending.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_finished)
            {
                return false;
            }

            _finished = final;
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        await _sending.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _finished = true;
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseWaitTime);
                await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Already gone.
        }
        finally
        {
            _sending.Release();
        }
    }
}
