using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>
/// A test class that runs the server binary, as an operator would, on a data directory of its own: every server it
/// started is killed and the directory removed after each test.
/// </summary>
public abstract class ServerBinaryTest : IAsyncLifetime
{
    private const string ApiPrefix = "  API endpoint:       ";
    private const string S3Prefix = "  S3 endpoint:        ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _work = new();
    private readonly List<ChildProcess> _processes = [];

    private protected string DataDirectory => Path.Combine(_work.Path, "data");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _work.Dispose();
    }

    /// <summary>Starts <c>nimbus-server</c> on <see cref="DataDirectory"/> with free ports and waits for the end of its start banner.</summary>
    private protected async Task<(ChildProcess Server, Uri Api, Uri S3)> StartServerAsync()
    {
        var server = ChildProcess.Start(Binaries.Server, ["--data-dir", DataDirectory, "--api-port", "0", "--s3-port", "0", "--log-level", "Warning"], _work.Path);
        _processes.Add(server);
        var api = await server.WaitForLineAsync(l => l.StartsWith(ApiPrefix, StringComparison.Ordinal), StartTimeout, "'API endpoint:' line");
        var s3 = await server.WaitForLineAsync(l => l.StartsWith(S3Prefix, StringComparison.Ordinal), StartTimeout, "'S3 endpoint:' line");
        await server.WaitForLineAsync(l => l == "Press Ctrl-C to stop.", StartTimeout, "end of the start banner");
        return (server, new Uri(api[ApiPrefix.Length..]), new Uri(s3[S3Prefix.Length..].Split(' ')[0]));
    }

    /// <summary>The administrator's access key that the first start wrote into the data directory.</summary>
    private protected SigV4Credentials ReadAdminCredentials()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "bootstrap-credentials.json")));
        return new SigV4Credentials(document.RootElement.GetProperty("accessKeyId").GetString()!, document.RootElement.GetProperty("secretAccessKey").GetString()!);
    }
}
