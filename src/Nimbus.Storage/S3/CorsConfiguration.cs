using System.Globalization;
using System.Xml.Linq;

namespace Nimbus.Storage.S3;

/// <summary>
/// A bucket's CORS configuration (S3's <c>CORSConfiguration</c>): rules matched in order against a request's
/// origin, method and, for a preflight, the headers it asks for. Parsed from and written back to S3 XML.
/// </summary>
internal sealed record CorsConfiguration(IReadOnlyList<CorsRule> Rules)
{
    private const int MaxRules = 100;
    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];

    /// <summary>Parses a PUT ?cors body; <c>MalformedXML</c> or <c>InvalidRequest</c> with what is wrong.</summary>
    public static CorsConfiguration Parse(byte[] body)
    {
        var root = S3XmlInput.Parse(body, "CORSConfiguration");
        var rules = new List<CorsRule>();
        foreach (var rule in root.Children("CORSRule"))
        {
            var origins = Values(rule, "AllowedOrigin");
            var methods = Values(rule, "AllowedMethod");
            if (origins.Count == 0 || methods.Count == 0)
            {
                throw S3Errors.MalformedXml("every CORSRule needs at least one AllowedOrigin and one AllowedMethod.");
            }

            foreach (var method in methods)
            {
                if (!Methods.Contains(method, StringComparer.Ordinal))
                {
                    throw S3Errors.InvalidRequest($"Found unsupported HTTP method in CORS config. Unsupported method is {method}");
                }
            }

            foreach (var origin in origins)
            {
                if (origin.Count(c => c == '*') > 1)
                {
                    throw S3Errors.InvalidRequest($"AllowedOrigin \"{origin}\" can not have more than one wildcard.");
                }
            }

            var headers = Values(rule, "AllowedHeader");
            foreach (var header in headers)
            {
                if (header.Count(c => c == '*') > 1)
                {
                    throw S3Errors.InvalidRequest($"AllowedHeader \"{header}\" can not have more than one wildcard.");
                }
            }

            int? maxAge = null;
            if (rule.Child("MaxAgeSeconds")?.Value.Trim() is { Length: > 0 } text)
            {
                maxAge = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : throw S3Errors.MalformedXml("MaxAgeSeconds must be a whole number of seconds.");
            }

            rules.Add(new CorsRule(rule.Child("ID")?.Value.Trim(), origins, methods, headers, Values(rule, "ExposeHeader"), maxAge));
        }

        if (rules.Count is 0 or > MaxRules)
        {
            throw S3Errors.MalformedXml($"a CORSConfiguration holds 1 to {MaxRules} CORSRule elements.");
        }

        return new CorsConfiguration(rules);
    }

    /// <summary>The configuration as stored and returned by GET ?cors.</summary>
    public string ToXml()
    {
        XNamespace ns = S3Xml.Namespace;
        var root = new XElement(ns + "CORSConfiguration");
        foreach (var rule in Rules)
        {
            var element = new XElement(ns + "CORSRule");
            if (!string.IsNullOrEmpty(rule.Id))
            {
                element.Add(new XElement(ns + "ID", rule.Id));
            }

            element.Add(rule.AllowedOrigins.Select(o => new XElement(ns + "AllowedOrigin", o)));
            element.Add(rule.AllowedMethods.Select(m => new XElement(ns + "AllowedMethod", m)));
            element.Add(rule.AllowedHeaders.Select(h => new XElement(ns + "AllowedHeader", h)));
            element.Add(rule.ExposeHeaders.Select(h => new XElement(ns + "ExposeHeader", h)));
            if (rule.MaxAgeSeconds is { } maxAge)
            {
                element.Add(new XElement(ns + "MaxAgeSeconds", maxAge));
            }

            root.Add(element);
        }

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Declaration + root.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The first rule allowing <paramref name="origin"/>, <paramref name="method"/> and every one of <paramref name="requestHeaders"/>; null when none does.</summary>
    public CorsRule? Match(string origin, string method, IReadOnlyList<string> requestHeaders)
    {
        foreach (var rule in Rules)
        {
            if (rule.AllowedOrigins.Any(o => Wildcard(o, origin, ignoreCase: false))
                && rule.AllowedMethods.Contains(method, StringComparer.Ordinal)
                && requestHeaders.All(h => rule.AllowedHeaders.Any(a => Wildcard(a, h, ignoreCase: true))))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>A pattern with at most one <c>*</c> matching any run of characters.</summary>
    internal static bool Wildcard(string pattern, string value, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return string.Equals(pattern, value, comparison);
        }

        var head = pattern[..star];
        var tail = pattern[(star + 1)..];
        return value.Length >= head.Length + tail.Length && value.StartsWith(head, comparison) && value.EndsWith(tail, comparison);
    }

    private static List<string> Values(XElement rule, string name) =>
        [.. rule.Children(name).Select(e => e.Value.Trim()).Where(v => v.Length > 0)];
}

/// <summary>One CORS rule.</summary>
internal sealed record CorsRule(string? Id, IReadOnlyList<string> AllowedOrigins, IReadOnlyList<string> AllowedMethods, IReadOnlyList<string> AllowedHeaders, IReadOnlyList<string> ExposeHeaders, int? MaxAgeSeconds);
