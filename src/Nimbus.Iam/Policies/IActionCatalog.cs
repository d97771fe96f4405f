namespace Nimbus.Iam.Policies;

/// <summary>The actions policies may name; policies naming anything else are refused.</summary>
public interface IActionCatalog
{
    /// <summary>Known services, lower case.</summary>
    IReadOnlyCollection<string> Services { get; }

    /// <summary>All known actions, ordered by service then name.</summary>
    IReadOnlyList<CatalogAction> Actions { get; }

    bool IsKnownService(string service);

    /// <summary>Whether <paramref name="actionPattern"/> (<c>*</c>, <c>service:*</c>, <c>service:Get*</c>, ...) names at least one known action.</summary>
    bool MatchesAnyAction(string actionPattern);

    /// <summary>Adds a service's actions (a service that appears later registers itself).</summary>
    void Register(string service, IEnumerable<(string Name, ActionAccessLevel AccessLevel)> actions);
}
