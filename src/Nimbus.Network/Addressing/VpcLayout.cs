namespace Nimbus.Network.Addressing;

/// <summary>
/// The subnets of one VPC (key/value <c>network.vpc-layout</c>, keyed by VPC id), changed under the key's lock in the
/// unit of work that creates or deletes a subnet: the overlap check and the dependency check of a VPC delete read it.
/// </summary>
public sealed record VpcLayout
{
    public const string Namespace = "network.vpc-layout";

    /// <summary>Subnet id → its range.</summary>
    public Dictionary<string, string> Subnets { get; init; } = new(StringComparer.Ordinal);
}
