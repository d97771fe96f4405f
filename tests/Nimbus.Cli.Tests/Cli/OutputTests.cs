using System.Net;
using System.Text.Json;
using Nimbus.Cli.Tests.Fakes;
using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Nimbus.Cli.Tests.Cli;

public sealed class OutputTests
{
    [Fact]
    public async Task Widget_list_table_has_aligned_columns()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page(
            "",
            Canned.Widget("wdg-0001", "first", message: "hello", tags: """{"env":"prod","a":"b"}"""),
            Canned.Widget("wdg-0002", "second-widget", phase: "pending", copies: 12, version: 4)));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe(
            """
            ID        NAME           PHASE    COPIES  MESSAGE  TAGS          VERSION  CREATED
            wdg-0001  first          ready    1       hello    a=b,env=prod  1        2025-01-02 03:04:05Z
            wdg-0002  second-widget  pending  12      hello    -             4        2025-01-02 03:04:05Z

            """.ReplaceLineEndings("\n"));
        result.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Json_output_is_the_api_page_indented_camel_case()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page("tok-2", Canned.Widget()));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget list -o json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldStartWith("{\n  \"items\": [\n    {\n      \"id\": \"wdg-0001\",\n      \"kind\": \"demo/widget\",");
        using var printed = JsonDocument.Parse(result.Stdout);
        using var served = JsonDocument.Parse(Canned.Page("tok-2", Canned.Widget()));
        JsonElement.DeepEquals(printed.RootElement, served.RootElement).ShouldBeTrue(result.Stdout);
        result.Stderr.ShouldBeEmpty("json output carries nextToken itself; no hint on stderr");
    }

    [Fact]
    public async Task Yaml_output_has_the_same_fields_and_keeps_strings_strings()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Widget(message: "true", tags: """{"count":"42","n":"x","empty":""}"""));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget get wdg-0001 --output yaml");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("id: wdg-0001\n");
        result.Stdout.ShouldContain("  message: \"true\"\n");
        result.Stdout.ShouldContain("  copies: 1\n");
        result.Stdout.ShouldContain("  count: \"42\"\n");
        result.Stdout.ShouldContain("  \"n\": x\n");
        result.Stdout.ShouldContain("  empty: \"\"\n");
        result.Stdout.ShouldContain("  conditions: []\n");
        result.Stdout.ShouldContain("createdAt: \"2025-01-02T03:04:05+00:00\"\n");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(result.Stdout));
        var root = (YamlMappingNode)yaml.Documents.ShouldHaveSingleItem().RootNode;
        ((YamlScalarNode)root["name"]).Value.ShouldBe("w1");
        ((YamlScalarNode)((YamlMappingNode)root["status"])["phase"]).Value.ShouldBe("ready");
        ((YamlScalarNode)((YamlMappingNode)root["status"])["message"]).Value.ShouldBe("null");
    }

    [Fact]
    public async Task Output_format_comes_from_the_environment_when_no_flag_is_given()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.AccessKey());
        using var cli = new CliRun(handler);
        cli.Environment["NIMBUS_OUTPUT"] = "json";

        var result = await cli.RunAsync("iam access-key get NKIAEXAMPLE0001");

        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("accessKeyId").GetString().ShouldBe("NKIAEXAMPLE0001");
    }

    [Fact]
    public async Task Access_key_create_prints_the_secret_once_with_a_warning()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.Created, """{"accessKey":""" + Canned.AccessKey() + ""","secretAccessKey":"wJalrXUtnFEMI"}""");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam access-key create --user alice");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe(
            """
            ACCESS KEY ID    USER   STATE   SECRET ACCESS KEY
            NKIAEXAMPLE0001  alice  active  wJalrXUtnFEMI

            """.ReplaceLineEndings("\n"));
        result.Stderr.ShouldBe("warning: this is the only time the secret access key is shown; store it now, it cannot be retrieved later.\n");
        handler.Requests.ShouldHaveSingleItem().BodyText.ShouldBe("""{"userName":"alice"}""");
    }

    [Fact]
    public async Task Access_key_list_table_and_paging_hint()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page("next-1", Canned.AccessKey(), Canned.AccessKey("NKIAEXAMPLE0002", "inactive")));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam access-key list --page-size 2");

        result.Stdout.ShouldBe(
            """
            ACCESS KEY ID    USER   STATE     CREATED               LAST USED
            NKIAEXAMPLE0001  alice  active    2025-01-02 03:04:05Z  never
            NKIAEXAMPLE0002  alice  inactive  2025-01-02 03:04:05Z  never

            """.ReplaceLineEndings("\n"));
        result.Stderr.ShouldBe("more results: add --next-token next-1, or --all for every page\n");
        handler.Requests.ShouldHaveSingleItem().Uri.Query.ShouldBe("?pageSize=2");
    }

    [Fact]
    public async Task List_all_prints_one_page_with_every_item()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Page("p2", Canned.Widget("wdg-1")))
            .Answer(HttpStatusCode.OK, Canned.Page("", Canned.Widget("wdg-2")));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget list --all --tag env=prod -o json");

        using var page = JsonDocument.Parse(result.Stdout);
        page.RootElement.GetProperty("items").GetArrayLength().ShouldBe(2);
        page.RootElement.GetProperty("nextToken").ValueKind.ShouldBe(JsonValueKind.Null);
        handler.Requests[1].Uri.Query.ShouldBe("?tag=env%3Dprod&nextToken=p2");
    }

    [Fact]
    public async Task Whoami_table()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK,
            """{"account":"000000000001","principal":"nrn:nimbus:iam::000000000001:user/admin","userName":"admin","accessKeyId":"NKIA1","isPlatformAdministrator":true}""");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("whoami");

        result.Stdout.ShouldBe(
            """
            ACCOUNT       USER   ACCESS KEY ID  ADMIN  PRINCIPAL
            000000000001  admin  NKIA1          yes    nrn:nimbus:iam::000000000001:user/admin

            """.ReplaceLineEndings("\n"));
    }
}
