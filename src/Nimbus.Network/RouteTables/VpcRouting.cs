namespace Nimbus.Network.RouteTables;

/// <summary>
/// The route tables of one VPC (key/value <c>network.routing</c>, keyed by VPC id): its main table, every table, and
/// which table each associated subnet uses. Changed under the key's lock in every unit of work that creates or
/// deletes a table or an association (and a VPC's or subnet's delete), so a subnet is in one table only.
/// </summary>
public sealed record VpcRouting
{
    public const string Namespace = "network.routing";

    public required string MainId { get; init; }

    /// <summary>Every table of the VPC, the main one included.</summary>
    public IReadOnlyList<string> TableIds { get; init; } = [];

    /// <summary>Subnet id → the table it is explicitly associated with (subnets not listed use the main table).</summary>
    public Dictionary<string, string> Associations { get; init; } = new(StringComparer.Ordinal);
}
