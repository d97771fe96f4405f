using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Nimbus.Store.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: <c>initdb</c> into a fresh temporary directory,
/// started on a free loopback port with fsync on, stopped and removed at the end. Uses the newest
/// server under <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (Debian's layout), or
/// <c>NIMBUS_TEST_PG_BIN</c> when set.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string InstallHint =
        "The PostgreSQL store tests start a real, throwaway PostgreSQL server: install the Debian package 'postgresql' (apt-get install postgresql).";

    private const string DebianRoot = "/usr/lib/postgresql";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private string? _binDirectory;
    private string? _root;
    private NpgsqlDataSource? _admin;

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "server.log");

    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory(DebianRoot, Environment.GetEnvironmentVariable("NIMBUS_TEST_PG_BIN"));
        _root = Directory.CreateTempSubdirectory("nimbus-pg-").FullName;

        // The server runs as the postgres user when we are root: it must be able to create its
        // data directory, socket and log in here.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The PostgreSQL store tests start a server the Debian way; run them on Linux.");
        }

        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        try
        {
            // --no-sync only skips syncing the freshly made template files; the server runs with fsync=on.
            await RunAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
            Port = FreeLoopbackPort();
            var serverOptions = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200 -c deadlock_timeout=100ms");
            await RunAsync("pg_ctl", ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", serverOptions]);
            _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
            await WaitUntilAcceptingAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
            _admin = null;
        }

        if (_root is null)
        {
            return;
        }

        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            // Immediate: the cluster is thrown away, so there is nothing to checkpoint for.
            await RunAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60"]);
        }

        Directory.Delete(_root, recursive: true);
        _root = null;
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using var command = _admin!.CreateCommand($"CREATE DATABASE {name}");
        await command.ExecuteNonQueryAsync();
        return name;
    }

    public async Task DropDatabaseAsync(string name)
    {
        await using var command = _admin!.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The newest server's bin directory under <paramref name="debianRoot"/>, or <paramref name="configured"/> when given.</summary>
    internal static string FindBinDirectory(string debianRoot, string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return HasServerTools(configured)
                ? configured
                : throw new InvalidOperationException($"NIMBUS_TEST_PG_BIN={configured} holds no initdb and pg_ctl. {InstallHint}");
        }

        var newest = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: Version.TryParse(VersionText(Path.GetFileName(dir)), out var v) ? v : null))
                .Where(candidate => candidate.Version is not null && HasServerTools(candidate.Dir))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Dir)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException($"No PostgreSQL server (initdb, pg_ctl) under {debianRoot}/<version>/bin. {InstallHint}");

        static string VersionText(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";
    }

    private static bool HasServerTools(string binDirectory) =>
        File.Exists(Path.Combine(binDirectory, "initdb")) && File.Exists(Path.Combine(binDirectory, "pg_ctl"));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var program = Path.Combine(_binDirectory!, tool);

        // PostgreSQL refuses to run as root; the Debian package creates the postgres user.
        if (Environment.UserName == "root")
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(StartDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within {StartDeadline.TotalSeconds} s.{ServerLog()}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}{ServerLog()}");
        }
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            try
            {
                await using var command = _admin!.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // Polling, not sleeping for a guessed time: pg_ctl -w has normally waited already.
                await Task.Delay(50);
            }
        }
    }

    private string ServerLog() => File.Exists(LogFile) ? Environment.NewLine + File.ReadAllText(LogFile) : string.Empty;
}
