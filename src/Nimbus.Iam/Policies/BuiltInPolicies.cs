namespace Nimbus.Iam.Policies;

/// <summary>
/// The managed policies every account can attach, generated from the action catalog so that a
/// service registering its actions gets its own pair (<c>&lt;Service&gt;FullAccess</c>,
/// <c>&lt;Service&gt;ReadOnlyAccess</c>) and joins <c>ReadOnlyAccess</c>.
/// </summary>
public static class BuiltInPolicies
{
    public const string AdministratorAccessName = "AdministratorAccess";
    public const string ReadOnlyAccessName = "ReadOnlyAccess";

    /// <summary>The NRN of a built-in policy, owned by the platform rather than an account (AWS's <c>arn:aws:iam::aws:policy/...</c>).</summary>
    public static string NrnOf(string name) => $"nrn:nimbus:iam::nimbus:policy/{name}";

    public static AttachedPolicy AdministratorAccess() =>
        Create(AdministratorAccessName, new PolicyStatement { Sid = "AllowEverything", Effect = PolicyEffect.Allow, Actions = ["*"], Resources = ["*"] });

    public static AttachedPolicy ReadOnlyAccess(IActionCatalog catalog) =>
        Create(ReadOnlyAccessName, new PolicyStatement { Sid = "AllowReadAndList", Effect = PolicyEffect.Allow, Actions = ReadActions(catalog, null), Resources = ["*"] });

    public static AttachedPolicy ServiceFullAccess(IActionCatalog catalog, string service) =>
        Create(ServiceName(service) + "FullAccess", new PolicyStatement { Sid = "AllowService", Effect = PolicyEffect.Allow, Actions = [Known(catalog, service) + ":*"], Resources = ["*"] });

    public static AttachedPolicy ServiceReadOnlyAccess(IActionCatalog catalog, string service) =>
        Create(ServiceName(service) + "ReadOnlyAccess", new PolicyStatement { Sid = "AllowReadAndList", Effect = PolicyEffect.Allow, Actions = ReadActions(catalog, Known(catalog, service)), Resources = ["*"] });

    /// <summary>Every built-in policy for the catalog as it is now, by name.</summary>
    public static IReadOnlyList<AttachedPolicy> All(IActionCatalog catalog)
    {
        var all = new List<AttachedPolicy> { AdministratorAccess(), ReadOnlyAccess(catalog) };
        foreach (var service in catalog.Services)
        {
            all.Add(ServiceFullAccess(catalog, service));
            all.Add(ServiceReadOnlyAccess(catalog, service));
        }

        return all;
    }

    /// <summary>The policy name prefix of a service: <c>iam</c> → <c>Iam</c>.</summary>
    public static string ServiceName(string service) => char.ToUpperInvariant(service[0]) + service[1..].ToLowerInvariant();

    private static string Known(IActionCatalog catalog, string service) =>
        catalog.IsKnownService(service) ? service.ToLowerInvariant() : throw new ArgumentException($"unknown service \"{service}\"", nameof(service));

    private static string[] ReadActions(IActionCatalog catalog, string? service) =>
        catalog.Actions
            .Where(a => (service is null || a.Service == service) && a.AccessLevel is ActionAccessLevel.Read or ActionAccessLevel.List)
            .Select(a => a.FullName)
            .ToArray();

    private static AttachedPolicy Create(string name, PolicyStatement statement) =>
        new(NrnOf(name), name, new PolicyDocument { Version = PolicyDocument.Version2012, Statements = [statement] });
}
