using Nimbus.Contracts.Network;

namespace Nimbus.Network.RouteTables;

/// <summary>
/// Longest-prefix match between the routes of one table, as a router does it: a route decides only for the addresses
/// no more specific route of the same table covers. The data path's sets (peering grants, NAT flows) are keyed by
/// blocks, so each route is turned into the blocks it really decides: its own block less every more specific one.
/// </summary>
public static class RoutePrecedence
{
    /// <summary>
    /// The blocks for which <paramref name="route"/> is the longest match among <paramref name="routes"/> (the local
    /// route included), sorted by address: e.g. <c>0.0.0.0/0</c> beside <c>10.20.0.0/16</c> decides
    /// <c>0.0.0.0/5</c>, <c>8.0.0.0/7</c>, <c>10.0.0.0/12</c>, ... every block of the address space but the /16.
    /// </summary>
    public static IReadOnlyList<(uint Network, int PrefixLength)> EffectiveBlocks(RouteDto route, IEnumerable<RouteDto> routes)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(routes);
        var block = Ipv4Cidr.TryParse(route.DestinationCidr, out _) ?? throw new ArgumentException($"bad destination {route.DestinationCidr}", nameof(route));
        var specific = new List<(uint Network, int PrefixLength)>();
        foreach (var other in routes)
        {
            // Destinations are unique in a table: an overlapping one is either inside this block (more specific) or covers it.
            if (Ipv4Cidr.TryParse(other.DestinationCidr, out _) is { } parsed && parsed.PrefixLength > block.PrefixLength && Ipv4Cidr.Overlaps(parsed, block))
            {
                specific.Add(parsed);
            }
        }

        var result = new List<(uint, int)>();
        Subtract(block, specific, result);
        return result;
    }

    /// <summary><see cref="EffectiveBlocks"/> as CIDR text.</summary>
    public static IEnumerable<string> EffectiveCidrs(RouteDto route, IEnumerable<RouteDto> routes) =>
        EffectiveBlocks(route, routes).Select(Ipv4Cidr.Format);

    private static void Subtract((uint Network, int PrefixLength) block, List<(uint Network, int PrefixLength)> specific, List<(uint, int)> result)
    {
        var inside = specific.Where(s => Ipv4Cidr.Overlaps(s, block)).ToList();
        if (inside.Count == 0)
        {
            result.Add(block);
            return;
        }

        // A more specific route covering the whole half decides all of it; otherwise split in two and look again.
        if (inside.Any(s => s.PrefixLength <= block.PrefixLength))
        {
            return;
        }

        var half = block.PrefixLength + 1;
        Subtract((block.Network, half), inside, result);
        Subtract((block.Network | (1u << (32 - half)), half), inside, result);
    }
}
