using System.Text.Json;

namespace Nimbus.Iam.Policies;

internal sealed partial class PolicyParser
{
    private static readonly string[] StatementFields = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"];

    private PolicyStatement? ReadStatement(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Error(reader.TokenStartIndex, $"expected a statement object, found {Describe(ref reader)}");
            reader.Skip();
            return null;
        }

        var errorsBefore = _errors.Count;
        var start = reader.TokenStartIndex;
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        string? sid = null;
        PolicyEffect? effect = null;
        List<string>? actions = null, notActions = null, resources = null, notResources = null, principals = null, notPrincipals = null;
        var conditions = new List<PolicyCondition>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var nameAt = reader.TokenStartIndex;
            reader.Read();
            if (!fields.TryAdd(name, nameAt))
            {
                Error(nameAt, $"duplicate field \"{name}\"");
                reader.Skip();
                continue;
            }

            switch (name)
            {
                case "Sid":
                    sid = ReadSid(ref reader);
                    break;
                case "Effect":
                    effect = ReadEffect(ref reader);
                    break;
                case "Action":
                    actions = ReadActions(ref reader);
                    break;
                case "NotAction":
                    notActions = ReadActions(ref reader);
                    break;
                case "Resource":
                    resources = ReadResources(ref reader);
                    break;
                case "NotResource":
                    notResources = ReadResources(ref reader);
                    break;
                case "Principal":
                    principals = ReadPrincipal(ref reader);
                    break;
                case "NotPrincipal":
                    notPrincipals = ReadPrincipal(ref reader);
                    break;
                case "Condition":
                    ReadConditions(ref reader, conditions);
                    break;
                default:
                    Error(nameAt, $"unknown field \"{name}\" in a statement; expected one of {Quote(StatementFields)}");
                    reader.Skip();
                    break;
            }
        }

        CheckPresence(fields, start);
        if (effect == PolicyEffect.Allow && fields.TryGetValue("NotPrincipal", out var notPrincipalAt))
        {
            // As in AWS: "allow everyone except X" is too easy to get wrong; only Deny may use it.
            Error(notPrincipalAt, "\"NotPrincipal\" can only be used with \"Effect\": \"Deny\"");
        }

        if (_errors.Count != errorsBefore || effect is null)
        {
            return null;
        }

        return new PolicyStatement
        {
            Sid = sid,
            Index = index,
            Effect = effect.Value,
            Actions = actions,
            NotActions = notActions,
            Resources = _kind == PolicyKind.Trust && resources is null && notResources is null ? ["*"] : resources,
            NotResources = notResources,
            Principals = principals,
            NotPrincipals = notPrincipals,
            Conditions = conditions,
        };
    }

    private void CheckPresence(Dictionary<string, long> fields, long start)
    {
        if (!fields.ContainsKey("Effect"))
        {
            Error(start, "missing \"Effect\"; expected \"Allow\" or \"Deny\"");
        }

        ExactlyOne(fields, start, "Action", "NotAction");
        if (_kind != PolicyKind.Trust || fields.ContainsKey("Resource") || fields.ContainsKey("NotResource"))
        {
            ExactlyOne(fields, start, "Resource", "NotResource");
        }

        var hasPrincipal = fields.ContainsKey("Principal") || fields.ContainsKey("NotPrincipal");
        if (_kind == PolicyKind.Identity)
        {
            foreach (var field in (string[])["Principal", "NotPrincipal"])
            {
                if (fields.TryGetValue(field, out var at))
                {
                    Error(at, $"\"{field}\" is not allowed in an identity policy; it belongs in resource policies");
                }
            }
        }
        else if (!hasPrincipal)
        {
            Error(start, "missing \"Principal\" or \"NotPrincipal\"; a resource policy must say whom it applies to");
        }
        else
        {
            ExactlyOne(fields, start, "Principal", "NotPrincipal");
        }
    }

    private void ExactlyOne(Dictionary<string, long> fields, long start, string field, string notField)
    {
        var has = fields.TryGetValue(field, out var at);
        var hasNot = fields.TryGetValue(notField, out var notAt);
        if (has && hasNot)
        {
            Error(Math.Max(at, notAt), $"\"{field}\" and \"{notField}\" cannot both be present");
        }
        else if (!has && !hasNot)
        {
            Error(start, $"missing \"{field}\" or \"{notField}\"");
        }
    }

    private string? ReadSid(ref Utf8JsonReader reader)
    {
        var at = reader.TokenStartIndex;
        var sid = ReadString(ref reader);
        if (sid is not null && !sid.All(char.IsAsciiLetterOrDigit))
        {
            Error(at, $"malformed Sid \"{sid}\"; expected ASCII letters and digits only");
            return null;
        }

        return sid;
    }

    private PolicyEffect? ReadEffect(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            switch (reader.GetString())
            {
                case "Allow":
                    return PolicyEffect.Allow;
                case "Deny":
                    return PolicyEffect.Deny;
            }
        }

        Error(reader.TokenStartIndex, $"expected \"Allow\" or \"Deny\", found {Describe(ref reader)}");
        reader.Skip();
        return null;
    }

    private List<string>? ReadActions(ref Utf8JsonReader reader)
    {
        var values = ReadStringList(ref reader);
        if (values is null)
        {
            return null;
        }

        var ok = true;
        foreach (var (value, at) in values)
        {
            var problem = CheckAction(value);
            if (problem is not null)
            {
                Error(at, problem);
                ok = false;
            }
        }

        return ok ? values.Select(v => v.Value).ToList() : null;
    }

    private string? CheckAction(string action)
    {
        if (action == "*")
        {
            return null;
        }

        var colon = action.IndexOf(':');
        var wellFormed = colon > 0 && colon < action.Length - 1;
        for (var i = 0; wellFormed && i < action.Length; i++)
        {
            var c = action[i];
            wellFormed = i < colon ? char.IsAsciiLetterOrDigit(c) || c == '-'
                : i == colon || char.IsAsciiLetterOrDigit(c) || c is '*' or '?';
        }

        if (!wellFormed)
        {
            return $"malformed action \"{action}\"; expected \"*\" or \"service:Action\" (letters and digits, with * and ? as wildcards)";
        }

        if (!_catalog.IsKnownService(action[..colon]))
        {
            return $"unknown service \"{action[..colon]}\" in action \"{action}\"";
        }

        return _catalog.MatchesAnyAction(action) ? null : $"unknown action \"{action}\"; it matches no action of service \"{action[..colon]}\"";
    }

    private List<string>? ReadResources(ref Utf8JsonReader reader)
    {
        var values = ReadStringList(ref reader);
        if (values is null)
        {
            return null;
        }

        var ok = true;
        foreach (var (value, at) in values)
        {
            if (!IsWellFormedResource(value))
            {
                Error(at, $"malformed resource \"{value}\"; expected \"*\" or an NRN pattern \"nrn:nimbus:<service>:<region>:<account>:<resource>\"");
                ok = false;
            }
        }

        return ok ? values.Select(v => v.Value).ToList() : null;
    }

    private static bool IsWellFormedResource(string resource)
    {
        if (resource == "*")
        {
            return true;
        }

        // arn:aws:... is read as nrn:nimbus:... (AwsSynonyms), so that policies copied from AWS work as written.
        if (!(resource.StartsWith("nrn:", StringComparison.Ordinal) || resource.StartsWith(AwsSynonyms.AwsPrefix, StringComparison.Ordinal))
            || resource.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        // Six colon-separated parts, unless a '*' stands in for the rest (nrn:nimbus:iam:*).
        return resource.Count(c => c == ':') >= 5 || resource.EndsWith('*');
    }

    private List<string>? ReadPrincipal(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && reader.GetString() == "*")
        {
            return ["*"];
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Error(reader.TokenStartIndex, $"expected \"*\", {{\"Nimbus\": [...]}} or {{\"AWS\": [...]}}, found {Describe(ref reader)}");
            reader.Skip();
            return null;
        }

        var objectAt = reader.TokenStartIndex;
        List<string>? result = null;
        var types = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var nameAt = reader.TokenStartIndex;
            reader.Read();

            // "AWS" is a synonym of "Nimbus": S3 clients' bucket policies say {"AWS": ...}. "Service" names a Nimbus
            // service acting for itself, e.g. compute handing a role's credentials to an instance (compute.nimbus).
            if (name is not ("Nimbus" or "AWS" or "Service") || !types.Add(name))
            {
                Error(nameAt, $"unknown principal type \"{name}\"; expected \"Nimbus\", \"AWS\" or \"Service\" (once each)");
                reader.Skip();
                ok = false;
                continue;
            }

            var values = ReadStringList(ref reader);
            ok &= values is not null;
            result ??= [];
            if (name == "Service")
            {
                foreach (var (value, at) in values ?? [])
                {
                    if (ServicePrincipals.IsWellFormed(value))
                    {
                        result.Add(ServicePrincipals.Prefix + value);
                    }
                    else
                    {
                        Error(at, $"malformed service principal \"{value}\"; expected a service name such as \"{ServicePrincipals.Compute}\"");
                        ok = false;
                    }
                }

                continue;
            }

            foreach (var (value, at) in values ?? [])
            {
                var nrn = AwsSynonyms.Normalize(value);
                if (value == "*" || (value.Length == 12 && value.All(char.IsAsciiDigit)) || (nrn.StartsWith(AwsSynonyms.NimbusPrefix, StringComparison.Ordinal) && !value.Contains('*')))
                {
                    result.Add(value);
                }
                else
                {
                    Error(at, $"malformed principal \"{value}\"; expected \"*\", a 12-digit account id or an NRN");
                    ok = false;
                }
            }
        }

        if (result is null && ok)
        {
            Error(objectAt, "expected {\"Nimbus\": [...]} or {\"AWS\": [...]}, found an empty object");
            return null;
        }

        return ok ? result : null;
    }
}
