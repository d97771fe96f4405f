using System.Net;

namespace Nimbus.Iam.Policies;

/// <summary>
/// One condition with its policy values parsed once. Semantics follow AWS: several values for
/// a key are ORed; a missing key makes a positive operator false and a negated one true;
/// <c>...IfExists</c> is true when the key is missing; <c>ForAnyValue</c> needs one request value
/// to satisfy the operator (false when the key is missing or empty), <c>ForAllValues</c> needs every
/// one to (true when missing or empty); <c>Null</c> tests presence.
/// </summary>
internal sealed class CompiledCondition
{
    private readonly ConditionOperator _op;
    private readonly string _key;
    private readonly string[] _strings;
    private readonly decimal[] _numbers = [];
    private readonly DateTimeOffset[] _dates = [];
    private readonly IPNetwork[] _networks = [];
    private readonly bool[] _bools = [];
    private readonly WildcardPattern[] _patterns = [];
    private readonly NrnPattern[] _nrns = [];

    public CompiledCondition(PolicyCondition condition)
    {
        _op = condition.Operator;
        _key = ConditionKeys.Normalize(condition.Key);
        _strings = condition.Values.ToArray();
        switch (_op.Kind)
        {
            case ConditionOperatorKind.StringLike:
                _patterns = _strings.Select(v => WildcardPattern.Create(v, ignoreCase: false)).ToArray();
                break;
            case ConditionOperatorKind.ArnLike or ConditionOperatorKind.ArnEquals:
                _nrns = _strings.Select(v => new NrnPattern(v)).ToArray();
                break;
            case ConditionOperatorKind.NumericEquals or ConditionOperatorKind.NumericLessThan or ConditionOperatorKind.NumericLessThanEquals
                or ConditionOperatorKind.NumericGreaterThan or ConditionOperatorKind.NumericGreaterThanEquals:
                _numbers = _strings.Select(v => ConditionValues.TryParseNumber(v, out var n) ? n : throw Invalid(v)).ToArray();
                break;
            case ConditionOperatorKind.DateEquals or ConditionOperatorKind.DateLessThan or ConditionOperatorKind.DateLessThanEquals
                or ConditionOperatorKind.DateGreaterThan or ConditionOperatorKind.DateGreaterThanEquals:
                _dates = _strings.Select(v => ConditionValues.TryParseDate(v, out var d) ? d : throw Invalid(v)).ToArray();
                break;
            case ConditionOperatorKind.Bool or ConditionOperatorKind.Null:
                _bools = _strings.Select(v => ConditionValues.TryParseBool(v, out var b) ? b : throw Invalid(v)).ToArray();
                break;
            case ConditionOperatorKind.IpAddress:
                _networks = _strings.Select(v => ConditionValues.TryParseNetwork(v, out var n) ? n : throw Invalid(v)).ToArray();
                break;
        }
    }

    /// <summary>The condition key in <see cref="ConditionKeys.Normalize"/> form.</summary>
    public string Key => _key;

    public bool IsSatisfied(RequestContext context)
    {
        var present = context.TryGetNormalized(_key, out var entry) && entry.Values.Length > 0;
        if (_op.Kind == ConditionOperatorKind.Null)
        {
            // "Null": "true" asks for the key to be absent.
            return Array.IndexOf(_bools, !present) >= 0;
        }

        switch (_op.Qualifier)
        {
            case SetQualifier.ForAnyValue:
                if (!present)
                {
                    return _op.IfExists;
                }

                for (var i = 0; i < entry!.Values.Length; i++)
                {
                    if (MatchesAny(entry, i) != _op.Negated)
                    {
                        return true;
                    }
                }

                return false;
            case SetQualifier.ForAllValues:
                if (!present)
                {
                    return true;
                }

                for (var i = 0; i < entry!.Values.Length; i++)
                {
                    if (MatchesAny(entry, i) == _op.Negated)
                    {
                        return false;
                    }
                }

                return true;
            default:
                if (!present)
                {
                    return _op.IfExists || _op.Negated;
                }

                // A single-valued operator on several request values: positive if any matches,
                // negated only if none does.
                for (var i = 0; i < entry!.Values.Length; i++)
                {
                    if (MatchesAny(entry, i))
                    {
                        return !_op.Negated;
                    }
                }

                return _op.Negated;
        }
    }

    /// <summary>Whether one request value matches at least one policy value (the positive operator).</summary>
    private bool MatchesAny(ContextValues entry, int index)
    {
        var value = entry.Values[index];
        switch (_op.Kind)
        {
            case ConditionOperatorKind.StringEquals:
                return Array.IndexOf(_strings, value) >= 0;
            case ConditionOperatorKind.StringEqualsIgnoreCase:
                foreach (var s in _strings)
                {
                    if (string.Equals(s, value, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                return false;
            case ConditionOperatorKind.StringLike:
                foreach (var p in _patterns)
                {
                    if (p.IsMatch(value))
                    {
                        return true;
                    }
                }

                return false;
            case ConditionOperatorKind.ArnLike or ConditionOperatorKind.ArnEquals:
                foreach (var p in _nrns)
                {
                    if (p.IsMatch(value))
                    {
                        return true;
                    }
                }

                return false;
            case ConditionOperatorKind.Bool:
                return ConditionValues.TryParseBool(value, out var b) && Array.IndexOf(_bools, b) >= 0;
            case ConditionOperatorKind.IpAddress:
                return entry.Addresses[index] is { } address && MatchesNetwork(address);
            case ConditionOperatorKind.NumericEquals or ConditionOperatorKind.NumericLessThan or ConditionOperatorKind.NumericLessThanEquals
                or ConditionOperatorKind.NumericGreaterThan or ConditionOperatorKind.NumericGreaterThanEquals:
                return entry.Numbers[index] is { } n && AnyCompares(n, _numbers);
            default:
                return entry.Dates[index] is { } d && AnyCompares(d, _dates);
        }
    }

    private bool AnyCompares<T>(T value, T[] policyValues)
        where T : IComparable<T>
    {
        foreach (var p in policyValues)
        {
            if (Compare(value.CompareTo(p)))
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchesNetwork(IPAddress address)
    {
        foreach (var network in _networks)
        {
            // IPNetwork.Contains is false across families; an IPv4-mapped IPv6 address counts as IPv4.
            if (network.Contains(address) || (address.IsIPv4MappedToIPv6 && network.Contains(address.MapToIPv4())))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Applies the operator to <c>request.CompareTo(policy)</c>.</summary>
    private bool Compare(int order) => _op.Kind switch
    {
        ConditionOperatorKind.NumericEquals or ConditionOperatorKind.DateEquals => order == 0,
        ConditionOperatorKind.NumericLessThan or ConditionOperatorKind.DateLessThan => order < 0,
        ConditionOperatorKind.NumericLessThanEquals or ConditionOperatorKind.DateLessThanEquals => order <= 0,
        ConditionOperatorKind.NumericGreaterThan or ConditionOperatorKind.DateGreaterThan => order > 0,
        _ => order >= 0,
    };

    private static ArgumentException Invalid(string value) =>
        new($"condition value \"{value}\" was not validated; build documents with PolicyDocument.Parse");
}
