using System.Globalization;

namespace Nimbus.Cli.Views;

/// <summary>How values look inside table cells.</summary>
internal static class Cells
{
    private const int MaxTextLength = 40;

    public static string Time(DateTimeOffset? value) =>
        value is null || value.Value == default ? "-" : value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Tags(IReadOnlyDictionary<string, string>? tags) =>
        tags is null || tags.Count == 0 ? "-" : string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    public static string Text(string? value) =>
        value is null ? "-" : value.Length <= MaxTextLength ? value : string.Concat(value.AsSpan(0, MaxTextLength - 3), "...");

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
