namespace Nimbus.Iam.Policies;

/// <summary>
/// Service principals: a Nimbus service acting on its own behalf, named in trust policies as
/// <c>{"Service": "compute.nimbus"}</c>. Compiled policies keep them with a <c>service:</c> prefix so they can never
/// equal an account id or an NRN, and a request made by a service carries the same form as its principal.
/// </summary>
public static class ServicePrincipals
{
    public const string Prefix = "service:";

    /// <summary>The compute service, which assumes instance-profile roles for instances.</summary>
    public const string Compute = "compute.nimbus";

    /// <summary>The form a request made by <paramref name="service"/> carries as its principal.</summary>
    public static string PrincipalOf(string service) => Prefix + service;

    public static bool IsService(string principal) => principal.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary><c>name.nimbus</c>-like: lower-case letters, digits, '-' and '.', 3 to 128 characters, with a dot.</summary>
    public static bool IsWellFormed(string value) =>
        value.Length is >= 3 and <= 128 && value.Contains('.', StringComparison.Ordinal) && value[0] != '.' && value[^1] != '.'
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
}
