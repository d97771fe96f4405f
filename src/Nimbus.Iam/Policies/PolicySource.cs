namespace Nimbus.Iam.Policies;

/// <summary>Which part of a principal's policy set a statement came from.</summary>
public enum PolicySource
{
    Identity,
    PermissionsBoundary,
    SessionPolicy,
    ResourcePolicy,
}
