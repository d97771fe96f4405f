namespace Nimbus.Iam.Policies;

/// <summary>
/// The built-in action catalog. Thread-safe: registrations replace an immutable snapshot, so
/// readers (the parser, policy generators) never lock.
/// </summary>
public sealed class ActionCatalog : IActionCatalog
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = new([]);

    public ActionCatalog()
    {
    }

    public IReadOnlyCollection<string> Services => _snapshot.Services;

    public IReadOnlyList<CatalogAction> Actions => _snapshot.Actions;

    /// <summary>A catalog holding the actions of every service Nimbus ships today.</summary>
    public static ActionCatalog CreateBuiltIn()
    {
        var catalog = new ActionCatalog();
        catalog.Register("sts", [("GetCallerIdentity", ActionAccessLevel.Read), ("AssumeRole", ActionAccessLevel.Write), ("GetSessionToken", ActionAccessLevel.Read), ("RevokeSession", ActionAccessLevel.Write)]);
        catalog.Register("iam",
        [
            ("CreateAccessKey", ActionAccessLevel.Write), ("ListAccessKeys", ActionAccessLevel.List), ("GetAccessKey", ActionAccessLevel.Read),
            ("UpdateAccessKey", ActionAccessLevel.Write), ("DeleteAccessKey", ActionAccessLevel.Write),
            ("CreateUser", ActionAccessLevel.Write), ("GetUser", ActionAccessLevel.Read), ("ListUsers", ActionAccessLevel.List),
            ("UpdateUser", ActionAccessLevel.Write), ("DeleteUser", ActionAccessLevel.Write),
            ("CreateGroup", ActionAccessLevel.Write), ("GetGroup", ActionAccessLevel.Read), ("ListGroups", ActionAccessLevel.List),
            ("DeleteGroup", ActionAccessLevel.Write), ("AddUserToGroup", ActionAccessLevel.Write), ("RemoveUserFromGroup", ActionAccessLevel.Write),
            ("CreateRole", ActionAccessLevel.Write), ("GetRole", ActionAccessLevel.Read), ("ListRoles", ActionAccessLevel.List), ("DeleteRole", ActionAccessLevel.Write),
            ("RevokeRoleSessions", ActionAccessLevel.Write), ("ListRoleSessions", ActionAccessLevel.List), ("PassRole", ActionAccessLevel.Write),
            ("CreatePolicy", ActionAccessLevel.Permissions), ("GetPolicy", ActionAccessLevel.Read), ("ListPolicies", ActionAccessLevel.List),
            ("DeletePolicy", ActionAccessLevel.Permissions), ("CreatePolicyVersion", ActionAccessLevel.Permissions),
            ("AttachUserPolicy", ActionAccessLevel.Permissions), ("DetachUserPolicy", ActionAccessLevel.Permissions),
            ("AttachGroupPolicy", ActionAccessLevel.Permissions), ("DetachGroupPolicy", ActionAccessLevel.Permissions),
            ("AttachRolePolicy", ActionAccessLevel.Permissions), ("DetachRolePolicy", ActionAccessLevel.Permissions),
            ("PutUserPolicy", ActionAccessLevel.Permissions), ("GetUserPolicy", ActionAccessLevel.Read), ("ListUserPolicies", ActionAccessLevel.List),
            ("PutGroupPolicy", ActionAccessLevel.Permissions), ("GetGroupPolicy", ActionAccessLevel.Read), ("ListGroupPolicies", ActionAccessLevel.List),
            ("DeleteGroupPolicy", ActionAccessLevel.Permissions),
            ("PutRolePolicy", ActionAccessLevel.Permissions), ("GetRolePolicy", ActionAccessLevel.Read), ("ListRolePolicies", ActionAccessLevel.List),
            ("DeleteRolePolicy", ActionAccessLevel.Permissions),
            ("SimulatePrincipalPolicy", ActionAccessLevel.Read),
            ("CreateAccount", ActionAccessLevel.Write), ("ListAccounts", ActionAccessLevel.List),
            ("EnableMfaDevice", ActionAccessLevel.Write), ("ListMfaDevices", ActionAccessLevel.List),
            ("CreateVirtualMfaDevice", ActionAccessLevel.Write), ("DeactivateMfaDevice", ActionAccessLevel.Write),
            ("GetAccount", ActionAccessLevel.Read),
            ("GetAccountPasswordPolicy", ActionAccessLevel.Read), ("UpdateAccountPasswordPolicy", ActionAccessLevel.Permissions),
            ("DeleteUserPolicy", ActionAccessLevel.Permissions),
            ("PutUserPermissionsBoundary", ActionAccessLevel.Permissions), ("DeleteUserPermissionsBoundary", ActionAccessLevel.Permissions),
            ("PutRolePermissionsBoundary", ActionAccessLevel.Permissions), ("DeleteRolePermissionsBoundary", ActionAccessLevel.Permissions),
        ]);
        catalog.Register("audit", [("ListEvents", ActionAccessLevel.List), ("ExportEvents", ActionAccessLevel.Read)]);
        catalog.Register("quota", [("ListQuotas", ActionAccessLevel.List), ("SetQuota", ActionAccessLevel.Write)]);
        catalog.Register("demo",
        [
            ("CreateWidget", ActionAccessLevel.Write), ("ListWidgets", ActionAccessLevel.List), ("GetWidget", ActionAccessLevel.Read),
            ("UpdateWidget", ActionAccessLevel.Write), ("DeleteWidget", ActionAccessLevel.Write),
        ]);
        return catalog;
    }

    public bool IsKnownService(string service) => _snapshot.ServiceSet.Contains(service);

    public bool MatchesAnyAction(string actionPattern)
    {
        if (actionPattern == "*")
        {
            return _snapshot.Actions.Count > 0;
        }

        var colon = actionPattern.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var service = actionPattern[..colon];
        if (!IsKnownService(service))
        {
            return false;
        }

        var matcher = WildcardPattern.Create(actionPattern, ignoreCase: true);
        foreach (var action in _snapshot.Actions)
        {
            if (matcher.IsMatch(action.FullName))
            {
                return true;
            }
        }

        return false;
    }

    public void Register(string service, IEnumerable<(string Name, ActionAccessLevel AccessLevel)> actions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        var normalized = service.ToLowerInvariant();
        lock (_gate)
        {
            var merged = _snapshot.Actions.ToList();
            foreach (var (name, level) in actions)
            {
                merged.RemoveAll(a => a.Service == normalized && string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
                merged.Add(new CatalogAction(normalized, name, level));
            }

            _snapshot = new Snapshot(merged);
        }
    }

    private sealed class Snapshot
    {
        public Snapshot(List<CatalogAction> actions)
        {
            Actions = actions.OrderBy(a => a.Service, StringComparer.Ordinal).ThenBy(a => a.Name, StringComparer.Ordinal).ToArray();
            ServiceSet = new HashSet<string>(actions.Select(a => a.Service), StringComparer.OrdinalIgnoreCase);
            Services = ServiceSet.Order(StringComparer.Ordinal).ToArray();
        }

        public IReadOnlyList<CatalogAction> Actions { get; }

        public HashSet<string> ServiceSet { get; }

        public IReadOnlyCollection<string> Services { get; }
    }
}
