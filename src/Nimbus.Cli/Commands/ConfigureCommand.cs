using System.CommandLine;
using System.Text;
using Nimbus.Cli.Output;
using Nimbus.Sdk;
using Nimbus.Sdk.Configuration;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus configure</c>: writes a profile, from prompts or from the server's bootstrap credentials.</summary>
internal static class ConfigureCommand
{
    public static Command Create(CliContext context)
    {
        var fromBootstrap = new Option<string?>("--from-bootstrap")
        {
            Description = "Read <data-dir>/bootstrap-credentials.json (written by the server on first start) instead of prompting",
            HelpName = "data-dir",
        };
        var command = new Command("configure", "Write a profile (endpoint, access key, region, output) to ~/.nimbus") { fromBootstrap };
        context.SetAction(command, (parseResult, _) =>
        {
            var dataDirectory = parseResult.GetValue(fromBootstrap);
            if (dataDirectory is not null)
            {
                FromBootstrap(context, parseResult, dataDirectory);
            }
            else
            {
                Interactive(context, parseResult);
            }

            return Task.CompletedTask;
        });
        return command;
    }

    private static void FromBootstrap(CliContext context, ParseResult parseResult, string dataDirectory)
    {
        var bootstrap = BootstrapCredentials.Read(dataDirectory);
        var globals = context.Globals;
        var name = parseResult.GetValue(globals.Profile) ?? NimbusProfile.DefaultName;
        var store = context.CreateChain().Profiles;
        var existing = store.Read(name);
        var endpoint = parseResult.GetValue(globals.Endpoint) ?? bootstrap.Endpoint ?? NimbusClientOptions.DefaultEndpoint;
        CredentialChain.ParseEndpoint(endpoint);
        var s3Endpoint = bootstrap.S3Endpoint ?? existing?.S3Endpoint;
        if (s3Endpoint is not null)
        {
            CredentialChain.ParseEndpoint(s3Endpoint);
        }

        var profile = new NimbusProfile
        {
            Name = name,
            Endpoint = endpoint,
            S3Endpoint = s3Endpoint,
            Region = parseResult.GetValue(globals.Region) ?? bootstrap.Region ?? NimbusClientOptions.DefaultRegion,
            Output = parseResult.GetValue(globals.Output) ?? existing?.Output,
            AccessKeyId = bootstrap.AccessKeyId,
            SecretAccessKey = bootstrap.SecretAccessKey,
        };
        store.Write(profile);
        context.Stdout.WriteLine($"wrote profile '{name}' (endpoint {profile.Endpoint}, region {profile.Region}, access key {profile.AccessKeyId})");
        context.Stdout.WriteLine($"  credentials: {store.CredentialsPath}");
        context.Stdout.WriteLine($"  config:      {store.ConfigPath}");
    }

    private static void Interactive(CliContext context, ParseResult parseResult)
    {
        var globals = context.Globals;
        var name = parseResult.GetValue(globals.Profile) ?? NimbusProfile.DefaultName;
        var store = context.CreateChain().Profiles;
        var existing = store.Read(name) ?? new NimbusProfile { Name = name };
        context.Stdout.WriteLine($"Configuring profile '{name}' in {store.Directory} (press Enter to keep the value in brackets).");

        var endpoint = Prompt(context, "Endpoint", parseResult.GetValue(globals.Endpoint) ?? existing.Endpoint ?? NimbusClientOptions.DefaultEndpoint, secret: false);
        CredentialChain.ParseEndpoint(endpoint!);
        var accessKeyId = Prompt(context, "Access key id", existing.AccessKeyId, secret: false)
            ?? throw new CliUsageException("An access key id is required.");
        var secretAccessKey = Prompt(context, "Secret access key", existing.SecretAccessKey, secret: true)
            ?? throw new CliUsageException("A secret access key is required.");
        var region = Prompt(context, "Region", parseResult.GetValue(globals.Region) ?? existing.Region ?? NimbusClientOptions.DefaultRegion, secret: false);
        var output = Prompt(context, "Output format (table, json, yaml)", parseResult.GetValue(globals.Output) ?? existing.Output ?? "table", secret: false);
        output = OutputWriter.Parse(output).ToString().ToLowerInvariant();

        var keepToken = accessKeyId == existing.AccessKeyId && secretAccessKey == existing.SecretAccessKey;
        store.Write(new NimbusProfile
        {
            Name = name,
            Endpoint = endpoint,
            S3Endpoint = existing.S3Endpoint,
            Region = region,
            Output = output,
            AccessKeyId = accessKeyId,
            SecretAccessKey = secretAccessKey,
            SessionToken = keepToken ? existing.SessionToken : null,
        });
        context.Stdout.WriteLine($"wrote profile '{name}' to {store.CredentialsPath} and {store.ConfigPath}");
    }

    private static string? Prompt(CliContext context, string label, string? current, bool secret)
    {
        var shown = current is null ? "" : secret ? " [" + Mask(current) + "]" : " [" + current + "]";
        context.Stdout.Write($"{label}{shown}: ");
        context.Stdout.Flush();
        var answer = secret && IsInteractiveConsole(context.Host.Stdin) ? ReadMasked() : context.Host.Stdin.ReadLine();
        if (answer is null)
        {
            // End of input: keep the defaults, but end the prompt's line.
            context.Stdout.WriteLine();
        }

        answer = answer?.Trim();
        return string.IsNullOrEmpty(answer) ? current : answer;
    }

    private static string Mask(string secret) => secret.Length <= 4 ? "****" : "****" + secret[^4..];

    private static bool IsInteractiveConsole(TextReader stdin) => ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected;

    // The secret must not stay on the screen or in the terminal's scrollback.
    private static string ReadMasked()
    {
        var builder = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.WriteLine();
                return builder.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (builder.Length > 0)
                {
                    builder.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                builder.Append(key.KeyChar);
            }
        }
    }
}
