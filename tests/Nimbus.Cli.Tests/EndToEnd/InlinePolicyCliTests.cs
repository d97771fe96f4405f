using Nimbus.Cli.Tests.EndToEnd.Support;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The inline-policy commands of docs/iam.md, against a real server.</summary>
public sealed class InlinePolicyCliTests : IAsyncLifetime
{
    private const string ListWidgets = """
        {
          "Version": "2012-10-17",
          "Statement": [ { "Sid": "ListThem", "Effect": "Allow", "Action": "demo:ListWidgets", "Resource": "*" } ]
        }

        """;

    private CliServerFixture _cli = null!;

    public async Task InitializeAsync() => _cli = await CliServerFixture.StartAsync();

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Group_role_and_user_inline_policies_round_trip_and_take_effect()
    {
        using var alice = await _cli.UserWithKeyAsync("alice");
        (await alice.RunAsync(["demo", "widget", "list"])).ExitCode.ShouldBe(1);
        await _cli.AdminAsync("iam", "group", "create", "--name", "listers");
        await _cli.AdminAsync("iam", "group", "add-user", "--group", "listers", "--user", "alice");
        var file = await _cli.FileAsync("list-widgets.json", ListWidgets);

        (await _cli.AdminAsync("iam", "group", "put-policy", "--group", "listers", "--name", "list-widgets", "--document", file)).Stdout
            .ShouldBe("put inline policy list-widgets on group listers\n");
        (await CliServerFixture.OkAsync(alice, ["demo", "widget", "list"])).ExitCode.ShouldBe(0);
        var listed = (await _cli.AdminAsync("iam", "group", "list-policies", "--group", "listers")).Stdout;
        listed.ShouldContain("NAME");
        listed.ShouldContain("list-widgets  1");
        (await _cli.AdminAsync("iam", "group", "get-policy", "--group", "listers", "--name", "list-widgets")).Stdout.ShouldBe(ListWidgets);
        (await _cli.AdminAsync("iam", "group", "get-policy", "--group", "listers", "--name", "list-widgets", "--output", "json")).Stdout.ParseJson()
            .Str("document").ShouldBe(ListWidgets);
        var simulated = (await _cli.AdminAsync("iam", "policy", "simulate", "--user", "alice", "--action", "demo:ListWidgets")).Stdout;
        simulated.ShouldContain("list-widgets (inline, group listers)");

        (await _cli.AdminAsync("iam", "group", "delete-policy", "--group", "listers", "--name", "list-widgets")).Stdout
            .ShouldBe("deleted inline policy list-widgets of group listers\n");
        (await alice.RunAsync(["demo", "widget", "list"])).ExitCode.ShouldBe(1);
        var missing = await _cli.Admin.RunAsync(["iam", "group", "get-policy", "--group", "listers", "--name", "list-widgets"]);
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldStartWith("error: NotFound: ");

        // A role's inline policy, from stdin; simulate shows what its sessions get.
        var trust = await _cli.FileAsync("trust.json", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"123456789012"},"Action":"sts:AssumeRole"}]}""");
        await _cli.AdminAsync("iam", "role", "create", "--name", "deploy", "--trust-policy", trust);
        await CliServerFixture.OkAsync(_cli.Admin, ["iam", "role", "put-policy", "--role", "deploy", "--name", "read-widgets", "--document", "-"], ListWidgets);
        (await _cli.AdminAsync("iam", "role", "list-policies", "--role", "deploy", "--output", "json")).Stdout.ParseJson()
            .GetProperty("items")[0].Str("name").ShouldBe("read-widgets");
        var role = (await _cli.AdminAsync("iam", "policy", "simulate", "--role", "deploy", "--action", "demo:ListWidgets", "--action", "demo:CreateWidget")).Stdout;
        role.ShouldContain("demo:ListWidgets   *         allowed       Identity policy read-widgets (inline)");
        role.ShouldContain("demo:CreateWidget  *         implicitDeny");

        // A user's own, and the usage errors.
        await _cli.AdminAsync("iam", "user", "put-policy", "--user", "alice", "--name", "own-widgets", "--document", file);
        (await _cli.AdminAsync("iam", "user", "list-policies", "--user", "alice")).Stdout.ShouldContain("own-widgets");
        var both = await _cli.Admin.RunAsync(["iam", "policy", "simulate", "--user", "alice", "--role", "deploy", "--action", "demo:ListWidgets"]);
        both.ExitCode.ShouldBe(2, both.ToString());
        var unreadable = await _cli.Admin.RunAsync(["iam", "user", "put-policy", "--user", "alice", "--name", "x", "--document", "/nonexistent/p.json"]);
        unreadable.ExitCode.ShouldBe(2, unreadable.ToString());
    }
}
