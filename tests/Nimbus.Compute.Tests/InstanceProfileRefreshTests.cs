using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Iam;
using Nimbus.Sdk.Compute;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Instance-profile credentials are handed out again until they come within 5 minutes of expiry, then renewed.</summary>
public sealed class InstanceProfileRefreshTests
{
    [Fact]
    public async Task Credentials_are_renewed_within_five_minutes_of_expiry_and_not_before()
    {
        Prerequisites.RequireNetworkHost();
        var time = new ShiftableTimeProvider();
        await using var server = await ComputeServer.StartAsync(time: time);
        await server.Client.Iam.Roles.CreateAsync(new CreateRoleRequest
        {
            Name = "refresh-role",
            TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"compute.nimbus"},"Action":"sts:AssumeRole"}]}""",
        });
        var created = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "refresh", IamRole = "refresh-role" })).Single();
        await server.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);

        async Task<string> AccessKeyAsync()
        {
            var (code, stdout, stderr) = await Host.RunAsync(
                "ip", ["netns", "exec", server.NetnsOf(created.Id), "curl", "-sS", "--max-time", "5", "http://169.254.169.254/latest/meta-data/iam/security-credentials/refresh-role"]);
            code.ShouldBe(0, stderr);
            using var document = System.Text.Json.JsonDocument.Parse(stdout);
            document.RootElement.GetProperty("Code").GetString().ShouldBe("Success", stdout);
            return document.RootElement.GetProperty("AccessKeyId").GetString()!;
        }

        try
        {
            var first = await AccessKeyAsync();
            time.Advance(TimeSpan.FromMinutes(50));
            (await AccessKeyAsync()).ShouldBe(first, "ten minutes before expiry the same credentials are handed out");
            time.Advance(TimeSpan.FromMinutes(6));
            var renewed = await AccessKeyAsync();
            renewed.ShouldNotBe(first, "four minutes before expiry new credentials are issued");
            (await AccessKeyAsync()).ShouldBe(renewed);
        }
        finally
        {
            // Back to the real clock, so that the fixture's clean-up is not refused for clock skew.
            time.Advance(-time.Offset);
        }
    }
}
