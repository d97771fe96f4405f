using Nimbus.Cli.Tests.EndToEnd.Support;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The tag-condition example of docs/iam.md ("Tags in conditions"), command for command.</summary>
public sealed class TagPolicyCliTests : IAsyncLifetime
{
    private const string TeamBlue = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Sid": "List", "Effect": "Allow", "Action": "demo:ListWidgets", "Resource": "*" },
            { "Sid": "OwnTeam", "Effect": "Allow", "Action": ["demo:GetWidget", "demo:UpdateWidget", "demo:DeleteWidget"], "Resource": "*",
              "Condition": { "StringEquals": { "nimbus:ResourceTag/team": "blue" } } },
            { "Sid": "CreateBlue", "Effect": "Allow", "Action": "demo:CreateWidget", "Resource": "*",
              "Condition": { "StringEquals": { "nimbus:RequestTag/team": "blue" } } },
            { "Sid": "OnlyTeamAndEnv", "Effect": "Deny", "Action": ["demo:CreateWidget", "demo:UpdateWidget"], "Resource": "*",
              "Condition": { "ForAnyValue:StringNotEquals": { "nimbus:TagKeys": ["team", "env"] } } }
          ]
        }
        """;

    private CliServerFixture _cli = null!;

    public async Task InitializeAsync() => _cli = await CliServerFixture.StartAsync();

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Blue_team_members_act_only_on_blue_widgets_and_tag_only_team_and_env()
    {
        using var alice = await _cli.UserWithKeyAsync("alice");
        var file = await _cli.FileAsync("team-blue.json", TeamBlue);
        await _cli.AdminAsync("iam", "group", "create", "--name", "blue-team");
        await _cli.AdminAsync("iam", "group", "put-policy", "--group", "blue-team", "--name", "team-blue", "--document", file);
        await _cli.AdminAsync("iam", "group", "add-user", "--group", "blue-team", "--user", "alice");

        var w1 = (await CliServerFixture.OkAsync(alice, ["demo", "widget", "create", "--name", "w1", "--message", "hi", "--tag", "team=blue", "--output", "json"])).Stdout.ParseJson();
        var red = await alice.RunAsync(["demo", "widget", "create", "--name", "w2", "--message", "hi", "--tag", "team=red"]);
        red.ExitCode.ShouldBe(1, red.ToString());
        red.Stderr.ShouldStartWith("error: AccessDenied: ");
        var extra = await alice.RunAsync(["demo", "widget", "create", "--name", "w3", "--message", "hi", "--tag", "team=blue", "--tag", "owner=eve"]);
        extra.ExitCode.ShouldBe(1, extra.ToString());
        extra.Stderr.ShouldContain("OnlyTeamAndEnv");

        (await CliServerFixture.OkAsync(alice, ["demo", "widget", "get", w1.Str("id")])).Stdout.ShouldContain("w1");
        var redWidget = (await _cli.AdminAsync("demo", "widget", "create", "--name", "red", "--message", "hi", "--tag", "team=red", "--output", "json")).Stdout.ParseJson();
        var refused = await alice.RunAsync(["demo", "widget", "get", redWidget.Str("id")]);
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldStartWith("error: AccessDenied: ");
    }
}
