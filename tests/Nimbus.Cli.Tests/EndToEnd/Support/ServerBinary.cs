using Nimbus.Contracts.Signing;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>The server binary started on a data directory, on free ports, as an operator would run it.</summary>
internal static class ServerBinary
{
    private const string ApiPrefix = "  API endpoint:       ";
    private const string S3Prefix = "  S3 endpoint:        ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Starts <c>nimbus-server</c> and waits for the end of its start banner; the caller disposes the process.</summary>
    public static async Task<(ChildProcess Server, Uri Api, Uri S3)> StartAsync(string dataDirectory, string workingDirectory)
    {
        var server = ChildProcess.Start(Binaries.Server, ["--data-dir", dataDirectory, "--api-port", "0", "--s3-port", "0", "--log-level", "Warning"], workingDirectory);
        try
        {
            var api = await server.WaitForLineAsync(l => l.StartsWith(ApiPrefix, StringComparison.Ordinal), StartTimeout, "'API endpoint:' line");
            var s3 = await server.WaitForLineAsync(l => l.StartsWith(S3Prefix, StringComparison.Ordinal), StartTimeout, "'S3 endpoint:' line");
            await server.WaitForLineAsync(l => l == "Press Ctrl-C to stop.", StartTimeout, "end of the start banner");
            return (server, new Uri(api[ApiPrefix.Length..]), new Uri(s3[S3Prefix.Length..].Split(' ')[0]));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The administrator's access key that the first start wrote into the data directory.</summary>
    public static SigV4Credentials ReadAdminCredentials(string dataDirectory)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "bootstrap-credentials.json")));
        return new SigV4Credentials(document.RootElement.GetProperty("accessKeyId").GetString()!, document.RootElement.GetProperty("secretAccessKey").GetString()!);
    }
}
