using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Instances;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;
using Nimbus.Core.Errors;

namespace Nimbus.Compute.Exec;

/// <summary>
/// <c>GET /v1/compute/instances/{id}/exec</c>: checks the request like any call (authentication, <c>compute:ExecInstance</c>
/// and audit happened in the pipeline before), starts the command, upgrades to a WebSocket and bridges the two. The
/// audit record names the command; what flows through the session is never recorded or logged.
/// </summary>
public sealed partial class ExecService(InstanceService instances, IComputeNode node, ExecSlots slots, IHostApplicationLifetime lifetime, ILogger<ExecService> logger)
{
    public async Task RunAsync(HttpContext http, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var request = ExecRequest.Read(http.Request);
        var instance = await instances.GetAsync(http.Caller().Account, id, cancellationToken).ConfigureAwait(false);
        if (instance.Status.Phase != InstanceStates.Running)
        {
            throw ComputeErrors.IncorrectInstanceState(instance.Id, instance.Status.Phase, "exec'd into (it must be running)");
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw new NimbusException(ErrorCodes.InvalidParameter, 400, "exec is a WebSocket session: send the GET with Upgrade: websocket (the SDK's ExecAsync and `nimbus compute instance exec` do).");
        }

        using var slot = slots.Take(instance.Id);
        http.SetAuditParameters(AuditJson(instance.Id, request));
        IExecProcess process;
        try
        {
            process = await node.ExecAsync(
                new ExecLaunch { InstanceId = instance.Id, Command = request.Command, Tty = request.Tty, Rows = request.Rows, Columns = request.Columns },
                cancellationToken).ConfigureAwait(false);
        }
        catch (NodeException ex)
        {
            throw ComputeErrors.IncorrectInstanceState(instance.Id, instance.Status.Phase, $"exec'd into now ({ex.Message})");
        }

        await using (process.ConfigureAwait(false))
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            using var session = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            LogStarted(instance.Id, http.TraceIdentifier, request.Tty);
            var code = await new ExecBridge(socket, process).RunAsync(request.Stdin, session.Token).ConfigureAwait(false);
            if (code is { } exit)
            {
                LogExited(instance.Id, http.TraceIdentifier, exit);
            }
            else
            {
                LogAbandoned(instance.Id, http.TraceIdentifier);
            }
        }
    }

    private static byte[] AuditJson(string instanceId, ExecRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("instanceId", instanceId);
            json.WriteStartArray("command");
            foreach (var argument in request.Command)
            {
                json.WriteStringValue(argument);
            }

            json.WriteEndArray();
            json.WriteBoolean("tty", request.Tty);
            json.WriteBoolean("stdin", request.Stdin);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Exec session {RequestId} started in instance {InstanceId} (tty {Tty})")]
    private partial void LogStarted(string instanceId, string requestId, bool tty);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Exec session {RequestId} in instance {InstanceId} ended: exit code {ExitCode}")]
    private partial void LogExited(string instanceId, string requestId, int exitCode);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Exec session {RequestId} in instance {InstanceId} ended before its command: the client left or the server stops; the command was ended")]
    private partial void LogAbandoned(string instanceId, string requestId);
}
