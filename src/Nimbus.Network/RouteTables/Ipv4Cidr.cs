using System.Globalization;
using System.Net;
using Nimbus.Network.Addressing;

namespace Nimbus.Network.RouteTables;

/// <summary>A route destination: any IPv4 CIDR block (/0 to /32) given as its network address, e.g. <c>0.0.0.0/0</c>.</summary>
public static class Ipv4Cidr
{
    /// <summary>The block as (network, prefix length); null and a reason otherwise.</summary>
    public static (uint Network, int PrefixLength)? TryParse(string? text, out string? error)
    {
        error = null;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            error = "must be an IPv4 CIDR block such as 0.0.0.0/0 or 192.168.50.0/24";
            return null;
        }

        var value = Ipv4Range.ToUInt32(address);
        var mask = Mask(prefix);
        if ((value & ~mask) != 0)
        {
            error = $"is not a network address (did you mean {Ipv4Range.Format(value & mask)}/{prefix}?)";
            return null;
        }

        return (value, prefix);
    }

    /// <summary>True when the two blocks share an address.</summary>
    public static bool Overlaps((uint Network, int PrefixLength) a, (uint Network, int PrefixLength) b)
    {
        var mask = Mask(Math.Min(a.PrefixLength, b.PrefixLength));
        return (a.Network & mask) == (b.Network & mask);
    }

    public static string Format((uint Network, int PrefixLength) block) =>
        string.Create(CultureInfo.InvariantCulture, $"{Ipv4Range.Format(block.Network)}/{block.PrefixLength}");

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
}
