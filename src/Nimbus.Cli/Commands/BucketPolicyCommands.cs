using System.CommandLine;
using System.Text.Json;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus storage bucket policy get|put|delete</c>: the bucket policy, a JSON document evaluated with IAM.</summary>
internal static class BucketPolicyCommands
{
    public static Command Create(StorageContext storage) =>
        new("policy", "The bucket policy (JSON, evaluated together with IAM policies)")
        {
            Get(storage),
            Put(storage),
            Delete(storage),
        };

    private static Command Get(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var command = new Command("get", "Print the bucket policy as stored, whatever --output says") { name };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var policy = await s3.GetBucketPolicyAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            storage.Cli.Stdout.WriteLine(policy.TrimEnd());
        });
        return command;
    }

    private static Command Put(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var document = new Option<string>("--document") { Description = "File holding the policy JSON (- reads stdin)", HelpName = "file", Required = true };
        var command = new Command("put", "Set the bucket policy, replacing any previous one") { name, document };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(name)!;
            var text = await PolicyDocumentFile.ReadAsync(storage.Cli, parseResult.GetValue(document)!, cancellationToken).ConfigureAwait(false);
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"the policy document is not JSON: {ex.Message}");
            }

            await s3.PutBucketPolicyAsync(bucket, text, cancellationToken).ConfigureAwait(false);
            output.Message($"set the policy of bucket {bucket}");
        });
        return command;
    }

    private static Command Delete(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var command = new Command("delete", "Remove the bucket policy") { name };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(name)!;
            await s3.DeleteBucketPolicyAsync(bucket, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted the policy of bucket {bucket}");
        });
        return command;
    }
}
