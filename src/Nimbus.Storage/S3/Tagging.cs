namespace Nimbus.Storage.S3;

/// <summary>S3's <c>Tagging</c> document, for buckets and objects.</summary>
internal static class Tagging
{
    /// <summary>Parses <c>&lt;Tagging&gt;&lt;TagSet&gt;&lt;Tag&gt;...</c>; <c>InvalidTag</c> for a bad key or value, a duplicate, or too many tags.</summary>
    public static SortedDictionary<string, string> Parse(byte[] body, int maxTags)
    {
        var root = S3XmlInput.Parse(body, "Tagging");
        var set = root.Child("TagSet") ?? throw S3Errors.MalformedXml("Tagging needs a TagSet.");
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in set.Children("Tag"))
        {
            var key = tag.Child("Key")?.Value ?? throw S3Errors.MalformedXml("every Tag needs a Key.");
            var value = tag.Child("Value")?.Value ?? "";
            if (key.Length is 0 or > 128 || value.Length > 256)
            {
                throw S3Errors.InvalidTag("The TagKey you have provided is invalid: tag keys are 1 to 128 characters and values at most 256.");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw S3Errors.InvalidTag("System tags (aws:) cannot be set by users.");
            }

            if (!tags.TryAdd(key, value))
            {
                throw S3Errors.InvalidTag("Cannot provide multiple Tags with the same key.");
            }
        }

        return tags.Count > maxTags ? throw S3Errors.InvalidTag($"Object tags cannot be greater than {maxTags}.") : tags;
    }

    public static async Task SendAsync(S3Context s3, IEnumerable<KeyValuePair<string, string>> tags)
    {
        using var xml = new S3Xml("Tagging");
        xml.Start("TagSet");
        foreach (var (key, value) in tags)
        {
            xml.Start("Tag").Element("Key", key).Element("Value", value).End();
        }

        xml.End();
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }
}
