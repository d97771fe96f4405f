using System.Diagnostics;
using System.Text;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>
/// Runs tests/compat/*.sh (awscli, s3cmd, rclone and the JavaScript SDK v3 against a real server each), so ./test.sh counts them with the other
/// tests. A client that is not installed fails the script, and so the test: ./test.sh installs them.
/// </summary>
public sealed class CompatScriptTests
{
    [Theory]
    [InlineData("awscli.sh")]
    [InlineData("s3cmd.sh")]
    [InlineData("rclone.sh")]
    [InlineData("js-sdk.sh")]
    public async Task Real_s3_client_round_trips_every_byte(string script)
    {
        var path = Path.Combine(Repository.Root, "tests", "compat", script);
        File.Exists(path).ShouldBeTrue(path);
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(path);
        info.Environment["NIMBUS_SERVER_DLL"] = Binaries.Server;
        info.Environment["DOTNET_HOST_PATH"] = Binaries.DotnetHost;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 10 minutes.\n{await stdout}\n{await stderr}");
        }

        var output = $"--- stdout\n{await stdout}--- stderr\n{await stderr}";
        process.ExitCode.ShouldBe(0, output);
        (await stdout).ShouldContain("checks passed", Case.Sensitive, output);
    }
}
