namespace Nimbus.Iam.Policies;

/// <summary>One known action, e.g. <c>iam:ListUsers</c> (List).</summary>
public sealed record CatalogAction(string Service, string Name, ActionAccessLevel AccessLevel)
{
    /// <summary>The <c>service:Name</c> spelling used in policies.</summary>
    public string FullName => $"{Service}:{Name}";
}
