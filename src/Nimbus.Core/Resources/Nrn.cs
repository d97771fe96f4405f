namespace Nimbus.Core.Resources;

/// <summary>
/// Nimbus resource names: <c>nrn:nimbus:&lt;service&gt;:&lt;region&gt;:&lt;account&gt;:&lt;type&gt;/&lt;id&gt;</c>.
/// </summary>
public static class Nrn
{
    public const string Prefix = "nrn:nimbus:";

    /// <summary>Formats the NRN of a resource of <paramref name="kind"/> (<c>service/type</c>).</summary>
    public static string Format(string kind, string region, string account, string id)
    {
        var slash = kind.IndexOf('/');
        if (slash <= 0)
        {
            throw new ArgumentException($"kind '{kind}' is not service/type", nameof(kind));
        }

        return $"{Prefix}{kind.AsSpan(0, slash)}:{region}:{account}:{kind.AsSpan(slash + 1)}/{id}";
    }

    /// <summary>The service part of a kind, e.g. <c>demo</c> for <c>demo/widget</c>.</summary>
    public static string ServiceOf(string kind) => kind[..kind.IndexOf('/')];
}
