namespace Nimbus.Iam.Policies;

/// <summary>What an action does, as AWS classifies it; read-only policies are generated from Read and List.</summary>
public enum ActionAccessLevel
{
    Read,
    List,
    Write,
    Permissions,
}
