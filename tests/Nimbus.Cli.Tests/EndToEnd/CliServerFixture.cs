using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>A real server, an admin CLI configured from its bootstrap credentials, and a folder for policy files.</summary>
public sealed class CliServerFixture : IAsyncDisposable
{
    private CliServerFixture(NimbusServer server, CliRun admin, TempDirectory files)
    {
        Server = server;
        Admin = admin;
        Files = files;
    }

    public NimbusServer Server { get; }

    public CliRun Admin { get; }

    public TempDirectory Files { get; }

    public static async Task<CliServerFixture> StartAsync()
    {
        var server = await NimbusServer.StartAsync();
        var admin = new CliRun(handler: null, withCredentials: false);
        (await admin.RunAsync(["configure", "--from-bootstrap", server.DataDirectory])).ExitCode.ShouldBe(0);
        return new CliServerFixture(server, admin, new TempDirectory());
    }

    public static async Task<CliResult> OkAsync(CliRun cli, string[] args, string? stdin = null)
    {
        var result = await cli.RunAsync(args, stdin);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }

    public Task<CliResult> AdminAsync(params string[] args) => OkAsync(Admin, args);

    public async Task<string> FileAsync(string name, string text)
    {
        var path = Path.Combine(Files.Path, name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    /// <summary>A CLI signing with the given credentials (and session token), as the environment variables set them.</summary>
    public CliRun As(string accessKeyId, string secret, string? sessionToken = null)
    {
        var cli = new CliRun(handler: null, withCredentials: false);
        cli.Environment["NIMBUS_ENDPOINT"] = Server.Endpoint.ToString();
        cli.Environment["NIMBUS_ACCESS_KEY_ID"] = accessKeyId;
        cli.Environment["NIMBUS_SECRET_ACCESS_KEY"] = secret;
        if (sessionToken is not null)
        {
            cli.Environment["NIMBUS_SESSION_TOKEN"] = sessionToken;
        }

        return cli;
    }

    /// <summary>A user with an access key, and a CLI that signs with that key.</summary>
    public async Task<CliRun> UserWithKeyAsync(string name)
    {
        await AdminAsync("iam", "user", "create", "--name", name);
        var key = (await AdminAsync("iam", "access-key", "create", "--user", name, "--output", "json")).Stdout.ParseJson();
        return As(key.GetProperty("accessKey").Str("accessKeyId"), key.Str("secretAccessKey"));
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Files.Dispose();
        await Server.DisposeAsync();
    }
}
