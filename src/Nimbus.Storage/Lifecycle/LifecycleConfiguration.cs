using System.Globalization;
using System.Xml.Linq;
using Nimbus.Storage.S3;

namespace Nimbus.Storage.Lifecycle;

/// <summary>
/// A bucket's lifecycle configuration (S3's <c>LifecycleConfiguration</c>): rules that expire current versions
/// by age or date, remove noncurrent versions some days after they were replaced, remove delete markers left
/// alone, and abort multipart uploads left incomplete. Enforced by <see cref="LifecycleWorker"/>.
/// </summary>
internal sealed record LifecycleConfiguration(IReadOnlyList<LifecycleRule> Rules)
{
    private const int MaxRules = 1000;

    /// <summary>Parses a PUT ?lifecycle body; <c>MalformedXML</c>, <c>InvalidArgument</c> or <c>InvalidRequest</c> with what is wrong.</summary>
    public static LifecycleConfiguration Parse(byte[] body)
    {
        var root = S3XmlInput.Parse(body, "LifecycleConfiguration");
        var rules = new List<LifecycleRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in root.Children("Rule"))
        {
            var id = rule.Child("ID")?.Value.Trim();
            if (id is { Length: > 255 })
            {
                throw S3Errors.InvalidArgument("A rule ID is at most 255 characters.");
            }

            if (!string.IsNullOrEmpty(id) && !ids.Add(id))
            {
                throw S3Errors.InvalidArgument($"Rule ID '{id}' is used more than once.");
            }

            var status = rule.Child("Status")?.Value.Trim();
            if (status is not ("Enabled" or "Disabled"))
            {
                throw S3Errors.MalformedXml("every Rule needs a Status of Enabled or Disabled.");
            }

            if (rule.Child("Transition") is not null || rule.Child("NoncurrentVersionTransition") is not null)
            {
                throw S3Errors.InvalidRequest("Transitions are not supported: this object store has one storage class (STANDARD).");
            }

            var filter = ParseFilter(rule);
            int? days = null, noncurrentDays = null, newerNoncurrent = null, abortDays = null;
            DateTimeOffset? date = null;
            var expiredMarkers = false;
            if (rule.Child("Expiration") is { } expiration)
            {
                days = PositiveInt(expiration.Child("Days"), "Expiration Days");
                if (expiration.Child("Date")?.Value.Trim() is { Length: > 0 } text)
                {
                    date = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) && parsed.TimeOfDay == TimeSpan.Zero
                        ? parsed
                        : throw S3Errors.InvalidArgument("Expiration Date must be an ISO 8601 date at midnight UTC.");
                }

                if (expiration.Child("ExpiredObjectDeleteMarker")?.Value.Trim() is { Length: > 0 } marker)
                {
                    expiredMarkers = marker == "true" ? true : marker == "false" ? false : throw S3Errors.MalformedXml("ExpiredObjectDeleteMarker is true or false.");
                }

                if ((days is not null ? 1 : 0) + (date is not null ? 1 : 0) + (expiredMarkers ? 1 : 0) != 1)
                {
                    throw S3Errors.MalformedXml("an Expiration holds exactly one of Days, Date and ExpiredObjectDeleteMarker.");
                }

                if (expiredMarkers && filter.Tags.Count > 0)
                {
                    throw S3Errors.InvalidArgument("ExpiredObjectDeleteMarker cannot be specified with a tag filter.");
                }
            }

            if (rule.Child("NoncurrentVersionExpiration") is { } noncurrent)
            {
                noncurrentDays = PositiveInt(noncurrent.Child("NoncurrentDays"), "NoncurrentDays") ?? throw S3Errors.MalformedXml("NoncurrentVersionExpiration needs NoncurrentDays.");
                newerNoncurrent = PositiveInt(noncurrent.Child("NewerNoncurrentVersions"), "NewerNoncurrentVersions");
            }

            if (rule.Child("AbortIncompleteMultipartUpload") is { } abort)
            {
                abortDays = PositiveInt(abort.Child("DaysAfterInitiation"), "DaysAfterInitiation") ?? throw S3Errors.MalformedXml("AbortIncompleteMultipartUpload needs DaysAfterInitiation.");
                if (filter.Tags.Count > 0)
                {
                    throw S3Errors.InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with a tag filter.");
                }
            }

            if (days is null && date is null && !expiredMarkers && noncurrentDays is null && abortDays is null)
            {
                throw S3Errors.MalformedXml("a Rule needs at least one action: Expiration, NoncurrentVersionExpiration or AbortIncompleteMultipartUpload.");
            }

            rules.Add(new LifecycleRule(string.IsNullOrEmpty(id) ? null : id, status == "Enabled", filter, days, date, expiredMarkers, noncurrentDays, newerNoncurrent, abortDays));
        }

        return rules.Count is 0 or > MaxRules ? throw S3Errors.MalformedXml($"a LifecycleConfiguration holds 1 to {MaxRules} rules.") : new LifecycleConfiguration(rules);
    }

    private static LifecycleFilter ParseFilter(XElement rule)
    {
        var legacyPrefix = rule.Child("Prefix")?.Value;
        var filter = rule.Child("Filter");
        if (filter is null)
        {
            return new LifecycleFilter(legacyPrefix ?? "", new Dictionary<string, string>(), null, null);
        }

        if (legacyPrefix is not null)
        {
            throw S3Errors.MalformedXml("a Rule has either a Prefix or a Filter, not both.");
        }

        var and = filter.Child("And");
        var scope = and ?? filter;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in scope.Children("Tag"))
        {
            var key = tag.Child("Key")?.Value ?? throw S3Errors.MalformedXml("a filter Tag needs a Key.");
            if (!tags.TryAdd(key, tag.Child("Value")?.Value ?? ""))
            {
                throw S3Errors.InvalidRequest($"Duplicate tag key '{key}' in a lifecycle filter.");
            }
        }

        var conditions = (scope.Child("Prefix") is null ? 0 : 1) + tags.Count + (scope.Child("ObjectSizeGreaterThan") is null ? 0 : 1) + (scope.Child("ObjectSizeLessThan") is null ? 0 : 1);
        if (and is null && conditions > 1)
        {
            throw S3Errors.MalformedXml("a Filter with several conditions wraps them in And.");
        }

        return new LifecycleFilter(
            scope.Child("Prefix")?.Value ?? "",
            tags,
            PositiveLong(scope.Child("ObjectSizeGreaterThan"), "ObjectSizeGreaterThan"),
            PositiveLong(scope.Child("ObjectSizeLessThan"), "ObjectSizeLessThan"));
    }

    private static int? PositiveInt(XElement? element, string name) =>
        element?.Value.Trim() is not { Length: > 0 } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw S3Errors.InvalidArgument($"{name} must be a positive whole number.");

    private static long? PositiveLong(XElement? element, string name) =>
        element?.Value.Trim() is not { Length: > 0 } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw S3Errors.InvalidArgument($"{name} must be a whole number of bytes.");
}

/// <summary>One lifecycle rule; days are whole days, applied as S3 does (rounded up to the next midnight UTC).</summary>
internal sealed record LifecycleRule(
    string? Id,
    bool Enabled,
    LifecycleFilter Filter,
    int? ExpirationDays,
    DateTimeOffset? ExpirationDate,
    bool ExpiredObjectDeleteMarker,
    int? NoncurrentDays,
    int? NewerNoncurrentVersions,
    int? AbortIncompleteUploadDays)
{
    /// <summary>When an age of <paramref name="days"/> from <paramref name="start"/> is reached: the next midnight UTC after start + days.</summary>
    public static DateTimeOffset Due(DateTimeOffset start, int days)
    {
        var end = start.UtcDateTime.AddDays(days);
        return new DateTimeOffset(end.TimeOfDay == TimeSpan.Zero ? end : end.Date.AddDays(1), TimeSpan.Zero);
    }
}

/// <summary>Which objects a rule applies to: key prefix, tags (all must match), size bounds (exclusive).</summary>
internal sealed record LifecycleFilter(string Prefix, IReadOnlyDictionary<string, string> Tags, long? SizeGreaterThan, long? SizeLessThan)
{
    public bool MatchesSize(long size) => (SizeGreaterThan is not { } min || size > min) && (SizeLessThan is not { } max || size < max);

    public bool MatchesTags(IReadOnlyDictionary<string, string>? tags) =>
        Tags.All(t => tags is not null && tags.TryGetValue(t.Key, out var value) && value == t.Value);
}
