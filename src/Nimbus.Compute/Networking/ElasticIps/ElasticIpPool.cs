using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Nimbus.Compute.Networking.ElasticIps;

/// <summary>
/// The installation's elastic IPs (key/value <c>network.eips</c>, key <c>pool</c>): which address each allocation
/// holds and what it maps to. Changed under the key's lock in the unit of work that allocates, associates,
/// disassociates or releases one (or terminates an associated instance), so an address is never given twice and a
/// private IP never has two elastic IPs. The node's edge ruleset is built from this one record.
/// </summary>
public sealed record ElasticIpPoolState
{
    public const string Namespace = "network.eips";
    public const string Key = "pool";

    /// <summary>Where the next search for a free address starts (an offset in the pool), so a released address is not reused at once.</summary>
    public long Cursor { get; init; }

    /// <summary>Elastic IP → its allocation.</summary>
    public Dictionary<string, ElasticIpEntry> Addresses { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One allocated elastic IP: its resource, account and, while associated, its target.</summary>
public sealed record ElasticIpEntry
{
    public required string AllocationId { get; init; }

    public required string Account { get; init; }

    public string? InstanceId { get; init; }

    public string? InterfaceId { get; init; }

    public string? PrivateIpAddress { get; init; }

    /// <summary>The NAT gateway using the address (then it maps to no private IP).</summary>
    public string? NatGatewayId { get; init; }
}

/// <summary>An IPv4 block of the host's (any range: the pool is the host's, not a VPC's), e.g. <c>127.100.0.0/24</c>.</summary>
public sealed record HostRange(uint Network, int PrefixLength)
{
    public long Size => 1L << (32 - PrefixLength);

    /// <summary>Addresses handed out: the network and broadcast addresses are left out of blocks larger than /31.</summary>
    public (uint First, uint Last) Usable => PrefixLength >= 31 ? (Network, (uint)(Network + Size - 1)) : (Network + 1, (uint)(Network + Size - 2));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Format(Network)}/{PrefixLength}");

    /// <summary>Parses an IPv4 CIDR block given as its network address; null and a reason otherwise.</summary>
    public static HostRange? TryParse(string? text, out string? error)
    {
        error = null;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 16 or > 32)
        {
            error = "must be an IPv4 CIDR block of /16 to /32 such as 127.100.0.0/24";
            return null;
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        var mask = prefix == 32 ? uint.MaxValue : uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
        {
            error = $"is not a network address (did you mean {Format(value & mask)}/{prefix}?)";
            return null;
        }

        return new HostRange(value, prefix);
    }

    public static string Format(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }
}
