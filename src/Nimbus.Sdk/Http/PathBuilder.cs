using System.Text;

namespace Nimbus.Sdk.Http;

/// <summary>Builds <c>path?query</c> strings with every segment and value percent-encoded.</summary>
internal sealed class PathBuilder
{
    private readonly StringBuilder _builder;
    private bool _hasQuery;

    public PathBuilder(string path)
    {
        _builder = new StringBuilder(path);
    }

    public static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    public PathBuilder Query(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _builder.Append(_hasQuery ? '&' : '?').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        _hasQuery = true;
        return this;
    }

    public PathBuilder Query(string name, int? value) =>
        Query(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>One <c>tag=key=value</c> filter per entry (a resource must carry every one); nothing when null.</summary>
    public PathBuilder Tags(IReadOnlyDictionary<string, string>? tags)
    {
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            Query("tag", key + "=" + value);
        }

        return this;
    }

    public override string ToString() => _builder.ToString();
}
