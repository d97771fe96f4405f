using System.CommandLine;
using Nimbus.Sdk.Configuration;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary>
/// <c>nimbus storage</c>: buckets through the REST API (and their S3 sub-resources: policy, versioning, lifecycle),
/// objects through the S3 endpoint with awscli's <c>s3://bucket/key</c> syntax (<c>cp</c>, <c>ls</c>, <c>rm</c>, <c>presign</c>).
/// </summary>
internal static class StorageCommands
{
    public static Command CreateService(CliContext context)
    {
        var storage = new StorageContext(context);
        var command = new Command("storage", "Object storage: buckets, and objects over S3 (s3://bucket/key)")
        {
            BucketCommands.Create(storage),
            ObjectCommands.Copy(storage),
            ObjectCommands.List(storage),
            ObjectCommands.Remove(storage),
            ObjectCommands.Presign(storage),
        };
        command.Add(storage.S3Endpoint);
        return command;
    }
}

/// <summary>The CLI context plus what storage commands share: the <c>--s3-endpoint</c> option and S3 clients.</summary>
internal sealed class StorageContext(CliContext cli)
{
    public CliContext Cli => cli;

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint")
    {
        Description = "S3 endpoint of object storage, e.g. http://127.0.0.1:9000 [env NIMBUS_S3_ENDPOINT, profile 's3_endpoint', default the API host on port 9000]",
        HelpName = "url",
        Recursive = true,
    };

    public NimbusSettings Resolve(ParseResult parseResult) =>
        cli.CreateChain().Resolve(cli.Globals.Overrides(parseResult) with { S3Endpoint = parseResult.GetValue(S3Endpoint) });

    /// <summary>Sets an action that talks S3 (and, when it needs to, the REST API).</summary>
    public void SetS3Action(Command command, Func<ParseResult, S3Client, Output.OutputWriter, CancellationToken, Task> action, Func<ParseResult, S3PayloadSigning?>? signing = null) =>
        cli.SetAction(command, async (parseResult, cancellationToken) =>
        {
            var settings = Resolve(parseResult);
            var output = cli.CreateOutput(settings);
            using var s3 = cli.CreateS3Client(settings, signing?.Invoke(parseResult));
            await action(parseResult, s3, output, cancellationToken).ConfigureAwait(false);
        });
}
