namespace Nimbus.Iam.Policies;

/// <summary>
/// ArnLike/ArnEquals matching as AWS defines it: both sides are split into their six
/// colon-separated parts and each part is matched on its own (so a <c>*</c> in one part never
/// spans a ':' into the next); the last part may itself contain colons.
/// </summary>
internal sealed class NrnPattern
{
    private const int Parts = 6;
    private readonly WildcardPattern[]? _parts;

    public NrnPattern(string pattern)
    {
        var split = pattern.Split(':', Parts);
        _parts = split.Length == Parts ? split.Select(p => WildcardPattern.Create(p, ignoreCase: false)).ToArray() : null;
    }

    public bool IsMatch(ReadOnlySpan<char> value)
    {
        if (_parts is null)
        {
            return false;
        }

        for (var i = 0; i < Parts - 1; i++)
        {
            var colon = value.IndexOf(':');
            if (colon < 0 || !_parts[i].IsMatch(value[..colon]))
            {
                return false;
            }

            value = value[(colon + 1)..];
        }

        return _parts[Parts - 1].IsMatch(value);
    }
}
