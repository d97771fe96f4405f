using System.CommandLine;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus storage bucket lifecycle get|put|delete</c>: expiration rules, as S3 lifecycle XML or built from options.</summary>
internal static class BucketLifecycleCommands
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static Command Create(StorageContext storage) =>
        new("lifecycle", "Lifecycle rules: expire objects, old versions and forgotten multipart uploads")
        {
            Get(storage),
            Put(storage),
            Delete(storage),
        };

    private static Command Get(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var command = new Command("get", "Print the lifecycle configuration (S3 XML), whatever --output says") { name };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var xml = await s3.GetBucketLifecycleAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            try
            {
                storage.Cli.Stdout.WriteLine(XDocument.Parse(xml).ToString());
            }
            catch (XmlException)
            {
                storage.Cli.Stdout.WriteLine(xml.TrimEnd());
            }
        });
        return command;
    }

    private static Command Put(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var file = new Option<string?>("--file") { Description = "File holding a LifecycleConfiguration XML document (- reads stdin)", HelpName = "file" };
        var prefix = new Option<string?>("--prefix") { Description = "Rule applies to keys with this prefix (default every key)", HelpName = "prefix" };
        var expireDays = Days("--expire-days", "Delete objects this many days after they were written");
        var noncurrentDays = Days("--noncurrent-days", "Delete old versions this many days after they became noncurrent");
        var abortDays = Days("--abort-multipart-days", "Abort multipart uploads still incomplete this many days after they started");
        var command = new Command("put", "Set the lifecycle configuration: one rule from the options, or a whole document with --file")
        {
            name, file, prefix, expireDays, noncurrentDays, abortDays,
        };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(name)!;
            string xml;
            var days = (Expire: parseResult.GetValue(expireDays), Noncurrent: parseResult.GetValue(noncurrentDays), Abort: parseResult.GetValue(abortDays));
            var anyRuleOption = days.Expire is not null || days.Noncurrent is not null || days.Abort is not null;
            if (parseResult.GetValue(file) is { } path)
            {
                if (anyRuleOption || parseResult.GetValue(prefix) is not null)
                {
                    throw new CliUsageException("give either --file or rule options (--expire-days, --noncurrent-days, --abort-multipart-days), not both");
                }

                xml = await PolicyDocumentFile.ReadAsync(storage.Cli, path, cancellationToken).ConfigureAwait(false);
            }
            else if (anyRuleOption)
            {
                xml = Rule(parseResult.GetValue(prefix), days.Expire, days.Noncurrent, days.Abort);
            }
            else
            {
                throw new CliUsageException("nothing to set: give --file, or at least one of --expire-days, --noncurrent-days, --abort-multipart-days");
            }

            await s3.PutBucketLifecycleAsync(bucket, xml, cancellationToken).ConfigureAwait(false);
            output.Message($"set the lifecycle configuration of bucket {bucket}");
        });
        return command;
    }

    private static Command Delete(StorageContext storage)
    {
        var name = BucketCommands.Name();
        var command = new Command("delete", "Remove the lifecycle configuration") { name };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(name)!;
            await s3.DeleteBucketLifecycleAsync(bucket, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted the lifecycle configuration of bucket {bucket}");
        });
        return command;
    }

    /// <summary>One enabled rule in S3's lifecycle XML.</summary>
    internal static string Rule(string? prefix, int? expireDays, int? noncurrentDays, int? abortDays)
    {
        static string Days(int value) => value.ToString(CultureInfo.InvariantCulture);
        var rule = new XElement(
            S3 + "Rule",
            new XElement(S3 + "ID", "nimbus-cli"),
            new XElement(S3 + "Filter", new XElement(S3 + "Prefix", prefix ?? "")),
            new XElement(S3 + "Status", "Enabled"));
        if (expireDays is { } expire)
        {
            rule.Add(new XElement(S3 + "Expiration", new XElement(S3 + "Days", Days(expire))));
        }

        if (noncurrentDays is { } noncurrent)
        {
            rule.Add(new XElement(S3 + "NoncurrentVersionExpiration", new XElement(S3 + "NoncurrentDays", Days(noncurrent))));
        }

        if (abortDays is { } abort)
        {
            rule.Add(new XElement(S3 + "AbortIncompleteMultipartUpload", new XElement(S3 + "DaysAfterInitiation", Days(abort))));
        }

        return new XElement(S3 + "LifecycleConfiguration", rule).ToString(SaveOptions.DisableFormatting);
    }

    private static Option<int?> Days(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "days" };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!int.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days <= 0)
                {
                    result.AddError($"{name} must be a positive whole number of days, not '{token.Value}'.");
                }
            }
        });
        return option;
    }
}
