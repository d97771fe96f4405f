using System.Runtime.CompilerServices;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;
using Nimbus.Sdk.Resources;

namespace Nimbus.Sdk.Compute;

/// <summary>
/// Instance operations (<c>/v1/compute/instances</c>). Phases: <c>pending</c> → <c>running</c> → <c>stopping</c> →
/// <c>stopped</c>, <c>terminated</c>, and <c>failed</c> with a reason in <c>status.message</c>.
/// </summary>
public sealed class InstancesClient
{
    /// <summary>Phase of an instance whose init runs: <c>running</c>.</summary>
    public const string RunningPhase = "running";

    /// <summary>Phase of a stopped instance (its disk kept): <c>stopped</c>.</summary>
    public const string StoppedPhase = "stopped";

    /// <summary>Phase of a terminated instance: <c>terminated</c>.</summary>
    public const string TerminatedPhase = "terminated";

    private const string BasePath = "/v1/compute/instances";
    private readonly NimbusClient _client;
    private readonly ResourceWaiter _waiter;

    internal InstancesClient(NimbusClient client)
    {
        _client = client;
        _waiter = new ResourceWaiter(client.Options);
    }

    /// <summary>Runs one or several instances; all are created or none (quota, capacity).</summary>
    /// <param name="request">Required. Image, instance type and the optional settings.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new instances, in phase <c>pending</c>.</returns>
    public async Task<IReadOnlyList<ResourceDto>> RunAsync(RunInstancesRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        (await RunWithWarningsAsync(request, idempotencyKey, cancellationToken).ConfigureAwait(false)).Instances;

    /// <summary>Runs instances as <see cref="RunAsync"/> does, and returns the service's warnings too (e.g. that the image is deprecated).</summary>
    /// <param name="request">Required. Image, instance type and the optional settings.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new instances, in phase <c>pending</c>, and the warnings (null when none).</returns>
    public Task<RunInstancesResponse> RunWithWarningsAsync(RunInstancesRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<RunInstancesResponse>(
            HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>The instance's spec (image, type, network interface, role ...).</summary>
    /// <param name="instance">Required. An instance as the API returns it.</param>
    /// <returns>The spec; null when the resource has none.</returns>
    public static InstanceSpec? SpecOf(ResourceDto instance) => ResourceSpecs.ReadOrNull<InstanceSpec>(instance);

    /// <summary>The private IPv4 address of the instance's primary interface (<c>eth0</c>) on its network.</summary>
    /// <param name="instance">Required. An instance as the API returns it.</param>
    /// <returns>The address, e.g. <c>10.213.0.2</c>; null for a terminated instance or one without an interface.</returns>
    public static string? PrivateIpAddressOf(ResourceDto instance) =>
        instance?.Status.Phase == TerminatedPhase ? null : SpecOf(instance!)?.NetworkInterface?.PrivateIpAddress;

    /// <summary>Reads one instance.</summary>
    /// <param name="id">Required. Instance id, e.g. <c>i-7f3k2m9q0c1d</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance; its spec is an <c>InstanceSpec</c>, its details an <c>InstanceDetailsDto</c>.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(id), cancellationToken: cancellationToken);

    /// <summary>Lists one page of instances.</summary>
    /// <param name="name">Optional. Only the instance of this exact name.</param>
    /// <param name="tags">Optional. Only instances carrying every one of these tags.</param>
    /// <param name="pageSize">Optional. Maximum items in the page; default chosen by the server.</param>
    /// <param name="nextToken">Optional. Token of the page to read; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(
        string? name = null, IReadOnlyDictionary<string, string>? tags = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = new PathBuilder(BasePath).Query("name", name).Tags(tags).Query("pageSize", pageSize).Query("nextToken", nextToken);
        return _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Lists every instance matching the filters, reading page after page.</summary>
    /// <param name="name">Optional. Only the instance of this exact name.</param>
    /// <param name="tags">Optional. Only instances carrying every one of these tags.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>All matching instances.</returns>
    public async IAsyncEnumerable<ResourceDto> ListAllAsync(string? name = null, IReadOnlyDictionary<string, string>? tags = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListAsync(name, tags, null, token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.NextToken;
        }
        while (token is not null);
    }

    /// <summary>Stops an instance: SIGTERM to its processes, SIGKILL after the grace period; its disk is kept.</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="force">Optional. True sends SIGKILL at once; default false.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance with its new desired state.</returns>
    public Task<ResourceDto> StopAsync(string id, bool force = false, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, new PathBuilder(ItemPath(id) + "/stop").Query("force", force ? "true" : null).ToString(), cancellationToken: cancellationToken);

    /// <summary>Starts a stopped or failed instance.</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance with its new desired state.</returns>
    public Task<ResourceDto> StartAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/start", cancellationToken: cancellationToken);

    /// <summary>Reboots a running instance.</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance; <c>spec.rebootCount</c> grew by one.</returns>
    public Task<ResourceDto> RebootAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/reboot", cancellationToken: cancellationToken);

    /// <summary>Terminates an instance (refused with 409 <c>OperationNotPermitted</c> under deletion protection).</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance with desired state <c>terminated</c>.</returns>
    public Task<ResourceDto> TerminateAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/terminate", cancellationToken: cancellationToken);

    /// <summary>Changes the instance type (only while stopped) or deletion protection.</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="request">Required. What to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The modified instance.</returns>
    public Task<ResourceDto> ModifyAsync(string id, ModifyInstanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/modify", request, cancellationToken: cancellationToken);
    }

    /// <summary>Reads a piece of the instance's console output (stdout and stderr of its processes).</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="offset">Optional. Byte offset to read from; negative counts from the end; default 0.</param>
    /// <param name="limit">Optional. Most bytes to read, 1 to 262144; default 65536.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The output and the offset to continue from.</returns>
    public Task<ConsoleOutputDto> GetConsoleOutputAsync(string id, long offset = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ConsoleOutputDto>(
            HttpMethod.Get,
            new PathBuilder(ItemPath(id) + "/console").Query("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)).Query("limit", limit).ToString(),
            cancellationToken: cancellationToken);

    /// <summary>Reads the counters of a running instance (409 <c>IncorrectInstanceState</c> when it does not run).</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>CPU, memory, processes, block I/O and network counters.</returns>
    public Task<InstanceStatsDto> GetStatsAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<InstanceStatsDto>(HttpMethod.Get, ItemPath(id) + "/stats", cancellationToken: cancellationToken);

    /// <summary>
    /// Starts a command in a running instance (<c>compute:ExecInstance</c>) and returns the session: its output as it
    /// comes, its input, its terminal size, its exit code. Refused with 409 <c>IncorrectInstanceState</c> when the
    /// instance does not run, 409 <c>LimitExceeded</c> when it has too many sessions open.
    /// </summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="options">Required. The command and how to run it.</param>
    /// <param name="cancellationToken">Cancels opening the session.</param>
    /// <returns>The session; dispose it when done.</returns>
    public async Task<ExecSession> ExecAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = new PathBuilder(ItemPath(id) + "/exec");
        foreach (var argument in options.Command)
        {
            path.Query(Contracts.Compute.ExecProtocol.CommandParameter, argument);
        }

        path.Query(Contracts.Compute.ExecProtocol.TtyParameter, options.Tty ? "true" : null)
            .Query(Contracts.Compute.ExecProtocol.StdinParameter, options.Stdin ? "true" : null)
            .Query(Contracts.Compute.ExecProtocol.RowsParameter, options.Tty ? options.Rows : null)
            .Query(Contracts.Compute.ExecProtocol.ColumnsParameter, options.Tty ? options.Columns : null);
        return new ExecSession(await _client.OpenWebSocketAsync(path.ToString(), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Runs a command in a running instance to its end and collects its output (no terminal).</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="command">Required. The program and its arguments.</param>
    /// <param name="input">Optional. Bytes for its standard input, then end of file; default none (end of file at once).</param>
    /// <param name="cancellationToken">Cancels the run (the command is ended).</param>
    /// <returns>Exit code, standard output and standard error.</returns>
    public async Task<ExecResult> RunCommandAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte>? input = null, CancellationToken cancellationToken = default)
    {
        await using var session = await ExecAsync(id, new ExecOptions { Command = command, Stdin = input is not null }, cancellationToken).ConfigureAwait(false);
        if (input is { } bytes)
        {
            await session.WriteInputAsync(bytes, cancellationToken).ConfigureAwait(false);
            await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
        }

        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        while (await session.ReadAsync(cancellationToken).ConfigureAwait(false) is { } output)
        {
            (output.Stream == ExecStream.Stdout ? stdout : stderr).Write(output.Data.Span);
        }

        var code = session.ExitCode ?? throw new NimbusConnectionException(
            _client.Options.Endpoint, 1, new System.Net.WebSockets.WebSocketException($"the exec session ended without an exit code: {session.CloseReason}"));
        return new ExecResult(code, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
    }

    /// <summary>Polls an instance until it reaches <paramref name="phase"/> in a status that reflects at least <paramref name="minObservedVersion"/>.</summary>
    /// <param name="id">Required. Instance id.</param>
    /// <param name="phase">Required. Phase to wait for, e.g. <see cref="RunningPhase"/>.</param>
    /// <param name="timeout">Required. How long to wait at most.</param>
    /// <param name="minObservedVersion">Optional. Version the status must describe (the version a change returned); default 0.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The instance as read in that phase.</returns>
    /// <exception cref="NimbusWaitException">The timeout passed, or the instance became <c>failed</c>.</exception>
    public Task<ResourceDto> WaitForPhaseAsync(string id, string phase, TimeSpan timeout, long minObservedVersion = 0, CancellationToken cancellationToken = default) =>
        _waiter.WaitForPhaseAsync((query, ct) => _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(id) + query, cancellationToken: ct), id, phase, timeout, minObservedVersion, cancellationToken);

    private static string ItemPath(string id) => BasePath + "/" + PathBuilder.Segment(id);
}
