using System.Text;

namespace Nimbus.Iam.Policies;

/// <summary>
/// Policy variables in resources, e.g. <c>nrn:nimbus:iam::111122223333:user/${nimbus:username}</c>:
/// each <c>${key}</c> is replaced by the request's single value of that condition key. As in AWS,
/// when a key is missing (or has several values) nothing is substituted and the resource does not match.
/// </summary>
public static class PolicyVariables
{
    public static bool HasVariables(string text) => text.Contains("${", StringComparison.Ordinal);

    /// <summary>The text with every variable replaced, or null when one cannot be.</summary>
    public static string? Substitute(string template, RequestContext context)
    {
        var result = new StringBuilder(template.Length + 16);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf("${", at, StringComparison.Ordinal);
            if (open < 0)
            {
                result.Append(template, at, template.Length - at);
                break;
            }

            var close = template.IndexOf('}', open + 2);
            if (close < 0)
            {
                return null;
            }

            var key = template[(open + 2)..close].Trim();
            if (!context.TryGet(key, out var values) || values.Length != 1)
            {
                return null;
            }

            result.Append(template, at, open - at).Append(values[0]);
            at = close + 1;
        }

        return result.ToString();
    }
}
