namespace Nimbus.Iam.Policies;

/// <summary>
/// A pre-classified <c>*</c>/<c>?</c> pattern. As in AWS, <c>*</c> matches any run of characters
/// including <c>:</c> and <c>/</c>, and <c>?</c> exactly one. Most policy patterns are <c>*</c>,
/// exact, or a literal followed by one <c>*</c>, so those skip the general matcher.
/// </summary>
public sealed class WildcardPattern
{
    private readonly string _literal;
    private readonly StringComparison _comparison;
    private readonly Shape _shape;

    private WildcardPattern(string pattern, bool ignoreCase)
    {
        Pattern = pattern;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var star = pattern.IndexOf('*');
        var hasQuestion = pattern.Contains('?');
        if (pattern == "*")
        {
            _shape = Shape.Any;
            _literal = "";
        }
        else if (star < 0 && !hasQuestion)
        {
            _shape = Shape.Exact;
            _literal = pattern;
        }
        else if (!hasQuestion && star == pattern.Length - 1)
        {
            _shape = Shape.Prefix;
            _literal = pattern[..^1];
        }
        else
        {
            _shape = Shape.General;
            _literal = pattern;
        }
    }

    private enum Shape
    {
        Any,
        Exact,
        Prefix,
        General,
    }

    public string Pattern { get; }

    public bool MatchesEverything => _shape == Shape.Any;

    public static WildcardPattern Create(string pattern, bool ignoreCase) => new(pattern, ignoreCase);

    public bool IsMatch(ReadOnlySpan<char> value) => _shape switch
    {
        Shape.Any => true,
        Shape.Exact => value.Equals(_literal, _comparison),
        Shape.Prefix => value.StartsWith(_literal, _comparison),
        _ => MatchGeneral(_literal, value, _comparison == StringComparison.OrdinalIgnoreCase),
    };

    public override string ToString() => Pattern;

    // Greedy matching with a single backtrack point (the last '*'), O(pattern × value), no recursion: a
    // hostile pattern such as "*a*a*a*a*b" cannot make a decision exponential.
    private static bool MatchGeneral(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value, bool ignoreCase)
    {
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || CharEquals(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool CharEquals(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
