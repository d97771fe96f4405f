using Nimbus.Contracts.Network;
using Nimbus.Network.RouteTables;
using Shouldly;
using Xunit;

namespace Nimbus.Network.Tests;

/// <summary>Longest-prefix match between the routes of one table: what each route really decides.</summary>
public sealed class RoutePrecedenceTests
{
    private static RouteDto Route(string cidr, string type = RouteTableService.PeeringTarget, string target = "pcx-a") =>
        new() { DestinationCidr = cidr, TargetType = type, Target = target };

    [Fact]
    public void A_route_with_nothing_more_specific_decides_its_whole_block()
    {
        var wide = Route("10.20.0.0/16");
        RoutePrecedence.EffectiveCidrs(wide, [Route("10.10.0.0/16", RouteTableService.Local, "local"), wide, Route("0.0.0.0/0", RouteTableService.NatGatewayTarget, "ngw-1")])
            .ShouldBe(["10.20.0.0/16"]);
    }

    [Fact]
    public void A_more_specific_route_takes_its_block_out_of_the_wider_one()
    {
        var wide = Route("10.20.0.0/16", target: "pcx-a");
        var narrow = Route("10.20.1.0/24", target: "pcx-b");
        RoutePrecedence.EffectiveCidrs(wide, [wide, narrow]).ShouldBe(
        [
            "10.20.0.0/24", "10.20.2.0/23", "10.20.4.0/22", "10.20.8.0/21", "10.20.16.0/20", "10.20.32.0/19", "10.20.64.0/18", "10.20.128.0/17",
        ]);
        RoutePrecedence.EffectiveCidrs(narrow, [wide, narrow]).ShouldBe(["10.20.1.0/24"]);
    }

    [Fact]
    public void A_default_route_decides_everything_but_the_vpc_and_the_more_specific_routes()
    {
        var local = Route("10.10.0.0/16", RouteTableService.Local, "local");
        var nat = Route("0.0.0.0/0", RouteTableService.NatGatewayTarget, "ngw-1");
        var peering = Route("10.20.0.0/16");
        var blocks = RoutePrecedence.EffectiveBlocks(nat, [local, nat, peering]);

        // Together they cover 2^32 addresses less the two /16s, and neither /16 overlaps any of them.
        blocks.Sum(b => 1L << (32 - b.PrefixLength)).ShouldBe((1L << 32) - (2L << 16));
        foreach (var excluded in new[] { "10.10.0.0/16", "10.20.0.0/16" })
        {
            var parsed = Ipv4Cidr.TryParse(excluded, out _)!.Value;
            blocks.ShouldNotContain(b => Ipv4Cidr.Overlaps(b, parsed), excluded);
        }

        blocks.Select(Ipv4Cidr.Format).ShouldContain("0.0.0.0/5");
        blocks.Select(Ipv4Cidr.Format).ShouldContain("128.0.0.0/1");
    }

    [Fact]
    public void A_route_covered_entirely_by_more_specific_ones_decides_nothing()
    {
        var wide = Route("10.20.0.0/23");
        RoutePrecedence.EffectiveCidrs(wide, [wide, Route("10.20.0.0/24", target: "pcx-b"), Route("10.20.1.0/24", target: "pcx-c")]).ShouldBeEmpty();
    }
}
