using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Nimbus.Network.Addressing;

/// <summary>An IPv4 CIDR block, e.g. <c>10.213.0.0/16</c>: its network address as a number and its prefix length.</summary>
public sealed record Ipv4Range(uint Network, int PrefixLength)
{
    /// <summary>Addresses in the block, network and broadcast included.</summary>
    public long Size => 1L << (32 - PrefixLength);

    /// <summary>The first address after the network address: the gateway (the bridge's own address).</summary>
    public uint Gateway => Network + 1;

    /// <summary>The first and last addresses instances may get: the network, gateway and broadcast addresses are reserved.</summary>
    public (uint First, uint Last) Usable => (Network + 2, (uint)(Network + Size - 2));

    public long UsableCount => Size - 3;

    public bool Contains(uint address) => address >= Network && address - Network < Size;

    /// <summary>True when every address of <paramref name="other"/> is in this block.</summary>
    public bool Contains(Ipv4Range other) => other is not null && other.PrefixLength >= PrefixLength && Contains(other.Network);

    /// <summary>True when the two blocks share an address (for CIDR blocks: one contains the other).</summary>
    public bool Overlaps(Ipv4Range other) => other is not null && (Contains(other.Network) || other.Contains(Network));

    /// <summary>Parses a block that is known to be valid (read back from the store); throws otherwise.</summary>
    public static Ipv4Range Parse(string text) =>
        TryParse(text, out var error) ?? throw new FormatException($"'{text}' {error}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Format(Network)}/{PrefixLength}");

    /// <summary>
    /// Parses a private block (RFC 1918 or 100.64.0.0/10) of /8 to /28, given as its network address; null and a
    /// reason otherwise.
    /// </summary>
    public static Ipv4Range? TryParse(string? text, out string? error)
    {
        error = null;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            error = "must be an IPv4 CIDR block such as 10.213.0.0/16";
            return null;
        }

        if (prefix is < 8 or > 28)
        {
            error = "must have a prefix length from /8 to /28";
            return null;
        }

        var value = ToUInt32(address);
        var mask = uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
        {
            error = $"is not a network address (did you mean {Format(value & mask)}/{prefix}?)";
            return null;
        }

        var range = new Ipv4Range(value, prefix);
        if (!IsPrivate(range))
        {
            error = "must be inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10";
            return null;
        }

        return range;
    }

    public static uint ToUInt32(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    public static string Format(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }

    /// <summary>A locally administered MAC address derived from the IPv4 address (<c>02:4e:</c> and its four bytes), so it is stable and unique in the network.</summary>
    public static string MacFor(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"02:4e:{address >> 24:x2}:{(address >> 16) & 0xff:x2}:{(address >> 8) & 0xff:x2}:{address & 0xff:x2}");

    private static bool IsPrivate(Ipv4Range range)
    {
        (uint Network, int Prefix)[] allowed = [(0x0A000000, 8), (0xAC100000, 12), (0xC0A80000, 16), (0x64400000, 10)];
        return allowed.Any(a => range.PrefixLength >= a.Prefix && (range.Network & (uint.MaxValue << (32 - a.Prefix))) == a.Network);
    }
}
