using System.CommandLine;
using Nimbus.Sdk.Configuration;

namespace Nimbus.Cli;

/// <summary>Options accepted at every level of the command tree.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Endpoint { get; } = new("--endpoint")
    {
        Description = "API endpoint, e.g. http://127.0.0.1:7070 [env NIMBUS_ENDPOINT, profile 'endpoint']",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "Profile of ~/.nimbus/credentials and ~/.nimbus/config to use [env NIMBUS_PROFILE, default 'default']",
        HelpName = "name",
        Recursive = true,
    };

    public Option<string?> Region { get; } = new("--region")
    {
        Description = "Region to sign requests for [env NIMBUS_REGION, profile 'region', default 'local']",
        HelpName = "region",
        Recursive = true,
    };

    public Option<string?> Output { get; } = CreateOutput();

    public void AddTo(Command root)
    {
        root.Add(Endpoint);
        root.Add(Profile);
        root.Add(Region);
        root.Add(Output);
    }

    public SettingsOverrides Overrides(ParseResult parseResult) => new()
    {
        Endpoint = parseResult.GetValue(Endpoint),
        Profile = parseResult.GetValue(Profile),
        Region = parseResult.GetValue(Region),
        Output = parseResult.GetValue(Output),
    };

    private static Option<string?> CreateOutput()
    {
        var option = new Option<string?>("--output", "-o")
        {
            Description = "Output format [env NIMBUS_OUTPUT, profile 'output', default table]",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("table", "json", "yaml");
        return option;
    }
}
