namespace Nimbus.Iam.Policies;

public enum PolicyEffect
{
    Allow,
    Deny,
}
