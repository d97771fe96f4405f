namespace Nimbus.Network;

/// <summary>How the network service runs on this installation.</summary>
public sealed record NetworkOptions
{
    /// <summary>Region VPCs live in; <c>local</c> by default.</summary>
    public string Region { get; init; } = "local";

    /// <summary>Availability zones of the region; the first is where subnets go when none is named. <c>local-a</c> by default.</summary>
    public IReadOnlyList<string> Zones { get; init; } = ["local-a"];

    /// <summary>
    /// Range the accounts' default VPCs are carved from, <see cref="DefaultVpcPrefixLength"/> each, first free block
    /// first; <c>10.224.0.0/11</c> by default (32 default VPCs of /16, clear of the usual home, office and container ranges).
    /// </summary>
    public string DefaultVpcPool { get; init; } = "10.224.0.0/11";

    /// <summary>Prefix length of a default VPC; 16 by default. Its default subnets are /20s (4,091 usable addresses each), one per zone.</summary>
    public int DefaultVpcPrefixLength { get; init; } = 16;

    /// <summary>Prefix length of a default subnet; 20 by default.</summary>
    public int DefaultSubnetPrefixLength { get; init; } = 20;

    /// <summary>
    /// Ranges no VPC may overlap, e.g. the compute service's legacy default network (<c>10.213.0.0/16</c>) whose
    /// instances keep their addresses until they are terminated.
    /// </summary>
    public IReadOnlyList<string> ReservedCidrs { get; init; } = [];
}
