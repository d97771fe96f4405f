using System.Text;
using System.Text.Json;

namespace Nimbus.Iam.Policies;

internal sealed partial class PolicyParser
{
    private void ReadConditions(ref Utf8JsonReader reader, List<PolicyCondition> conditions)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Error(reader.TokenStartIndex, $"expected an object of condition operators, found {Describe(ref reader)}");
            reader.Skip();
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var nameAt = reader.TokenStartIndex;
            reader.Read();
            if (!seen.Add(name))
            {
                Error(nameAt, $"duplicate condition operator \"{name}\"");
                reader.Skip();
            }
            else if (!ConditionOperator.TryParse(name, out var op))
            {
                Error(nameAt, $"unknown condition operator \"{name}\"");
                reader.Skip();
            }
            else if (reader.TokenType != JsonTokenType.StartObject)
            {
                Error(reader.TokenStartIndex, $"expected an object of condition keys for {name}, found {Describe(ref reader)}");
                reader.Skip();
            }
            else
            {
                ReadConditionKeys(ref reader, op, conditions);
            }
        }
    }

    private void ReadConditionKeys(ref Utf8JsonReader reader, ConditionOperator op, List<PolicyCondition> conditions)
    {
        var objectAt = reader.TokenStartIndex;
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            var keyAt = reader.TokenStartIndex;
            reader.Read();
            if (key.Length == 0 || !keys.Add(key))
            {
                Error(keyAt, key.Length == 0 ? "expected a condition key, found \"\"" : $"duplicate condition key \"{key}\" in {op.Name}");
                reader.Skip();
                continue;
            }

            var values = ReadConditionValues(ref reader, op);
            if (values is not null)
            {
                conditions.Add(new PolicyCondition(op, key, values));
            }
        }

        if (keys.Count == 0)
        {
            Error(objectAt, $"expected at least one condition key for {op.Name}, found an empty object");
        }
    }

    private List<string>? ReadConditionValues(ref Utf8JsonReader reader, ConditionOperator op)
    {
        var values = new List<string>();
        var ok = true;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var arrayAt = reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                ok &= ReadConditionValue(ref reader, op, values);
            }

            if (values.Count == 0 && ok)
            {
                Error(arrayAt, $"expected at least one value for {op.Name}, found an empty array");
                ok = false;
            }
        }
        else
        {
            ok = ReadConditionValue(ref reader, op, values);
        }

        return ok ? values : null;
    }

    private bool ReadConditionValue(ref Utf8JsonReader reader, ConditionOperator op, List<string> values)
    {
        string? text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => null,
        };
        var problem = text is null ? "a string, number or boolean" : ExpectedValue(op.Kind, text);
        if (problem is not null)
        {
            Error(reader.TokenStartIndex, $"expected {problem} for {op.Name}, found {Describe(ref reader)}");
            reader.Skip();
            return false;
        }

        values.Add(text!);
        return true;
    }

    /// <summary>Null when <paramref name="text"/> suits the operator, else what was expected.</summary>
    private static string? ExpectedValue(ConditionOperatorKind kind, string text) => kind switch
    {
        ConditionOperatorKind.NumericEquals or ConditionOperatorKind.NumericLessThan or ConditionOperatorKind.NumericLessThanEquals
            or ConditionOperatorKind.NumericGreaterThan or ConditionOperatorKind.NumericGreaterThanEquals
            => ConditionValues.TryParseNumber(text, out _) ? null : "a number",
        ConditionOperatorKind.DateEquals or ConditionOperatorKind.DateLessThan or ConditionOperatorKind.DateLessThanEquals
            or ConditionOperatorKind.DateGreaterThan or ConditionOperatorKind.DateGreaterThanEquals
            => ConditionValues.TryParseDate(text, out _) ? null : "an ISO 8601 date or epoch seconds",
        ConditionOperatorKind.Bool or ConditionOperatorKind.Null => ConditionValues.TryParseBool(text, out _) ? null : "\"true\" or \"false\"",
        ConditionOperatorKind.IpAddress => ConditionValues.TryParseNetwork(text, out _) ? null : "an IPv4 or IPv6 address or CIDR block",
        _ => null,
    };
}
