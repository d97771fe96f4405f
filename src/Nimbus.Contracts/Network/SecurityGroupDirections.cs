namespace Nimbus.Contracts.Network;

/// <summary>The two directions of a security group rule, as <see cref="SecurityGroupRule.Direction"/> spells them.</summary>
public static class SecurityGroupDirections
{
    /// <summary>Traffic to the group's members; the rule's peer is the source.</summary>
    public const string Ingress = "ingress";

    /// <summary>Traffic from the group's members; the rule's peer is the destination.</summary>
    public const string Egress = "egress";
}
