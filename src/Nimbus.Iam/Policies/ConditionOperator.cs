using System.Diagnostics.CodeAnalysis;

namespace Nimbus.Iam.Policies;

/// <summary>A parsed condition operator such as <c>ForAllValues:StringNotLikeIfExists</c>.</summary>
public sealed record ConditionOperator(string Name, ConditionOperatorKind Kind, bool Negated, bool IfExists, SetQualifier Qualifier)
{
    private static readonly Dictionary<string, (ConditionOperatorKind Kind, bool Negated)> Bases = new(StringComparer.Ordinal)
    {
        ["StringEquals"] = (ConditionOperatorKind.StringEquals, false),
        ["StringNotEquals"] = (ConditionOperatorKind.StringEquals, true),
        ["StringEqualsIgnoreCase"] = (ConditionOperatorKind.StringEqualsIgnoreCase, false),
        ["StringNotEqualsIgnoreCase"] = (ConditionOperatorKind.StringEqualsIgnoreCase, true),
        ["StringLike"] = (ConditionOperatorKind.StringLike, false),
        ["StringNotLike"] = (ConditionOperatorKind.StringLike, true),
        ["NumericEquals"] = (ConditionOperatorKind.NumericEquals, false),
        ["NumericNotEquals"] = (ConditionOperatorKind.NumericEquals, true),
        ["NumericLessThan"] = (ConditionOperatorKind.NumericLessThan, false),
        ["NumericLessThanEquals"] = (ConditionOperatorKind.NumericLessThanEquals, false),
        ["NumericGreaterThan"] = (ConditionOperatorKind.NumericGreaterThan, false),
        ["NumericGreaterThanEquals"] = (ConditionOperatorKind.NumericGreaterThanEquals, false),
        ["DateEquals"] = (ConditionOperatorKind.DateEquals, false),
        ["DateNotEquals"] = (ConditionOperatorKind.DateEquals, true),
        ["DateLessThan"] = (ConditionOperatorKind.DateLessThan, false),
        ["DateLessThanEquals"] = (ConditionOperatorKind.DateLessThanEquals, false),
        ["DateGreaterThan"] = (ConditionOperatorKind.DateGreaterThan, false),
        ["DateGreaterThanEquals"] = (ConditionOperatorKind.DateGreaterThanEquals, false),
        ["Bool"] = (ConditionOperatorKind.Bool, false),
        ["IpAddress"] = (ConditionOperatorKind.IpAddress, false),
        ["NotIpAddress"] = (ConditionOperatorKind.IpAddress, true),
        ["ArnEquals"] = (ConditionOperatorKind.ArnEquals, false),
        ["ArnNotEquals"] = (ConditionOperatorKind.ArnEquals, true),
        ["ArnLike"] = (ConditionOperatorKind.ArnLike, false),
        ["ArnNotLike"] = (ConditionOperatorKind.ArnLike, true),
        ["NrnEquals"] = (ConditionOperatorKind.ArnEquals, false),
        ["NrnNotEquals"] = (ConditionOperatorKind.ArnEquals, true),
        ["NrnLike"] = (ConditionOperatorKind.ArnLike, false),
        ["NrnNotLike"] = (ConditionOperatorKind.ArnLike, true),
        ["Null"] = (ConditionOperatorKind.Null, false),
    };

    /// <summary>Parses an operator name; operator names are case-sensitive, as in AWS.</summary>
    public static bool TryParse(string name, [NotNullWhen(true)] out ConditionOperator? result)
    {
        result = null;
        var rest = name;
        var qualifier = SetQualifier.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }

        var ifExists = false;
        if (rest.EndsWith("IfExists", StringComparison.Ordinal))
        {
            ifExists = true;
            rest = rest[..^"IfExists".Length];
        }

        if (!Bases.TryGetValue(rest, out var found))
        {
            return false;
        }

        // AWS refuses NullIfExists and qualified Null: both would be meaningless.
        if (found.Kind == ConditionOperatorKind.Null && (ifExists || qualifier != SetQualifier.None))
        {
            return false;
        }

        result = new ConditionOperator(name, found.Kind, found.Negated, ifExists, qualifier);
        return true;
    }
}
