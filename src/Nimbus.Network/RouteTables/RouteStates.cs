using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Peerings;
using Nimbus.Network.Topology;

namespace Nimbus.Network.RouteTables;

/// <summary>
/// The state of each route of a table, as a public cloud shows it: <c>active</c>, or <c>blackhole</c> when the target
/// is gone. Decided when a table is read, from the same facts the node's data path is built from (who holds an
/// address, the target's phase), rather than stored: a target changes in many ways (terminate, detach, delete) and a
/// stored state would need every one of them to rewrite every table that names it.
/// </summary>
public static class RouteStates
{
    public const string Active = "active";
    public const string Blackhole = "blackhole";

    /// <summary>The table with <see cref="RouteDto.State"/> set on each of its routes (the stored table is not changed).</summary>
    public static async Task<Resource> WithStatesAsync(IResourceStore store, Resource table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        var spec = RouteTableService.SpecOf(table);
        var routes = new List<RouteDto>(spec.Routes.Count);
        foreach (var route in spec.Routes)
        {
            routes.Add(route with { State = await IsActiveAsync(store, route, cancellationToken).ConfigureAwait(false) ? Active : Blackhole });
        }

        return table with { Spec = JsonSerializer.SerializeToElement(spec with { Routes = routes }, NimbusJson.Options) };
    }

    /// <summary>Each table of a page with its route states.</summary>
    public static async Task<ResourcePage> WithStatesAsync(IResourceStore store, ResourcePage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var items = new List<Resource>(page.Items.Count);
        foreach (var table in page.Items)
        {
            items.Add(await WithStatesAsync(store, table, cancellationToken).ConfigureAwait(false));
        }

        return page with { Items = items };
    }

    private static async Task<bool> IsActiveAsync(IResourceStore store, RouteDto route, CancellationToken cancellationToken)
    {
        if (route.TargetType == RouteTableService.Local)
        {
            return true;
        }

        var target = await store.GetAsync(route.Target, cancellationToken).ConfigureAwait(false);
        if (target is null || target.DeletionRequestedAt is not null)
        {
            return false;
        }

        switch (route.TargetType)
        {
            case RouteTableService.PeeringTarget:
                return target.Kind == NetworkKinds.Peering && target.Status.Phase == PeeringService.ActivePhase;
            case RouteTableService.NatGatewayTarget:
                return target.Kind == NetworkKinds.NatGateway && target.Status.Phase != ResourcePhases.Failed;
            case RouteTableService.InstanceTarget:
                // As the node's policy routing decides: the instance's primary address, while the instance holds it
                // and is not being terminated.
                if (Text(target.Spec, "desiredState") == "terminated" || target.Status.Phase == "terminated"
                    || Text(target.Spec, "networkInterface", "privateIpAddress") is not { } address)
                {
                    return false;
                }

                return await HolderAsync(store, address, cancellationToken).ConfigureAwait(false) is { } holder && holder.InstanceId == target.Id;
            case RouteTableService.NetworkInterfaceTarget:
                // The interface's own address, while it is attached to an instance.
                return Text(target.Spec, "privateIpAddress") is { } own
                    && await HolderAsync(store, own, cancellationToken).ConfigureAwait(false) is { InstanceId: not null } owner && owner.InterfaceId == target.Id;
            default:
                return false;
        }
    }

    private static Task<Addressing.AddressHolder?> HolderAsync(IResourceStore store, string address, CancellationToken cancellationToken) =>
        IPAddress.TryParse(address, out var parsed) ? NetworkTopology.FindHolderAsync(store, parsed, cancellationToken) : Task.FromResult<Addressing.AddressHolder?>(null);

    private static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
