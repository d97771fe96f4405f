using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Vpcs;

namespace Nimbus.Network.RouteTables;

/// <summary>
/// Route tables: every VPC has a main table (made with the VPC) holding the local route (the VPC's range, not
/// removable); custom tables of a VPC; routes to a NAT gateway, an instance or a peering connection of the same VPC;
/// one table per subnet (the main table unless associated with another). Every write holds the VPC's routing lock
/// (<see cref="VpcRouting"/>).
/// </summary>
public sealed class RouteTableService(IResourceStore store, VpcService vpcs, NetworkChanges changes, TimeProvider time)
{
    public const string Local = "local";
    public const string NatGatewayTarget = "nat-gateway";
    public const string InstanceTarget = "instance";
    public const string NetworkInterfaceTarget = "network-interface";
    public const string PeeringTarget = "peering";

    /// <summary>Routes of one table, the local route included.</summary>
    public const int MaxRoutesPerTable = 50;

    public async Task<Resource> CreateAsync(string account, CreateRouteTableRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.VpcId))
        {
            errors.Add("vpcId", "is required");
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var vpc = await vpcs.ResolveAsync(w, account, request.VpcId!, ct).ConfigureAwait(false);
                var routing = await LockAsync(w, vpc.Id, ct).ConfigureAwait(false);
                var id = ResourceIds.New(NetworkKinds.RouteTablePrefix);
                var table = await AddTableAsync(w, vpc, id, request.Name ?? id, isMain: false, request.Tags, time.GetUtcNow(), ct).ConfigureAwait(false);
                await WriteAsync(w, vpc.Id, routing with { TableIds = [.. routing.TableIds, id] }, ct).ConfigureAwait(false);
                return table;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<ResourcePage> ListAsync(string account, string? vpcId, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        ListCoreAsync(account, vpcId, name, tags, pageSize, token, cancellationToken);

    /// <summary>A route table of the account by id or name.</summary>
    public async Task<Resource> GetAsync(string account, string reference, CancellationToken cancellationToken) =>
        await FindAsync(store, account, reference, cancellationToken).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Route table '{reference}'");

    /// <summary>Deletes a custom table no subnet uses (<c>DependencyViolation</c> naming them); the main table goes with its VPC.</summary>
    public Task DeleteAsync(string account, string reference, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var table = await ReadTableAsync(w, account, reference, ct).ConfigureAwait(false);
                var spec = SpecOf(table);
                var routing = await LockAsync(w, spec.VpcId, ct).ConfigureAwait(false);
                if (spec.IsMain)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Route table {table.Name} ({table.Id}) is the main table of VPC {spec.VpcId}; it goes with the VPC.");
                }

                var subnets = routing.Associations.Where(a => a.Value == table.Id).Select(a => "subnet " + a.Key).Order(StringComparer.Ordinal).ToList();
                if (subnets.Count > 0)
                {
                    throw NetworkErrors.DependencyViolation($"Route table {table.Id}", subnets);
                }

                await WriteAsync(w, spec.VpcId, routing with { TableIds = [.. routing.TableIds.Where(t => t != table.Id)] }, ct).ConfigureAwait(false);
                await w.DeleteAsync(table.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Adds a route: a destination outside the VPC's range, not in the table yet, to a target of the same VPC.</summary>
    private async Task<Resource> AddRouteCoreAsync(string account, string reference, CreateRouteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        var destination = Ipv4Cidr.TryParse(request.DestinationCidr, out var cidrError);
        if (destination is null)
        {
            errors.Add("destinationCidr", cidrError!);
        }

        var targets = new[] { request.NatGatewayId, request.InstanceId, request.NetworkInterfaceId, request.PeeringId }.Count(t => t is not null);
        if (targets != 1)
        {
            errors.Add("target", "give exactly one target: natGatewayId, instanceId, networkInterfaceId or peeringId");
        }

        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var table = await ReadTableAsync(w, account, reference, ct).ConfigureAwait(false);
                var spec = SpecOf(table);
                await LockAsync(w, spec.VpcId, ct).ConfigureAwait(false);
                var vpc = await w.GetAsync(spec.VpcId, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"VPC '{spec.VpcId}'");
                var vpcCidr = VpcService.SpecOf(vpc).Cidr;
                var local = Ipv4Cidr.TryParse(vpcCidr, out _)!.Value;
                var text = Ipv4Cidr.Format(destination!.Value);
                if (spec.Routes.FirstOrDefault(r => r.DestinationCidr == text) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"A route to {text} (to {existing.Target}) in route table {table.Id}");
                }

                if (Ipv4Cidr.Overlaps(destination.Value, local) && destination.Value.PrefixLength >= local.PrefixLength)
                {
                    throw NetworkErrors.CidrConflict($"{text} is inside the range of VPC {spec.VpcId} ({vpcCidr}), which the local route sends; a route may only send addresses outside it.");
                }

                if (spec.Routes.Count >= MaxRoutesPerTable)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409, $"Route table {table.Id} has {spec.Routes.Count} routes, the most a table may have ({MaxRoutesPerTable}).");
                }

                var route = await TargetAsync(w, account, spec.VpcId, request, text, ct).ConfigureAwait(false);
                return await UpdateSpecAsync(w, table, spec with { Routes = [.. spec.Routes, route] }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the route to <paramref name="destinationCidr"/>; the local route stays.</summary>
    private Task<Resource> RemoveRouteCoreAsync(string account, string reference, string? destinationCidr, CancellationToken cancellationToken)
    {
        var destination = Ipv4Cidr.TryParse(destinationCidr, out var error) ?? throw NimbusException.Invalid("destinationCidr", error!);
        var text = Ipv4Cidr.Format(destination);
        return store.WriteAsync(
            async (w, ct) =>
            {
                var table = await ReadTableAsync(w, account, reference, ct).ConfigureAwait(false);
                var spec = SpecOf(table);
                await LockAsync(w, spec.VpcId, ct).ConfigureAwait(false);
                var route = spec.Routes.FirstOrDefault(r => r.DestinationCidr == text) ?? throw NimbusException.NotFound($"Route to {text} in route table {table.Id}");
                if (route.TargetType == Local)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"The local route ({text}) of route table {table.Id} cannot be removed: it is how the VPC's subnets reach each other.");
                }

                return await UpdateSpecAsync(w, table, spec with { Routes = [.. spec.Routes.Where(r => r != route)] }, ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>Associates a subnet of the table's VPC with the table; it leaves the table it used before.</summary>
    private async Task<Resource> AssociateCoreAsync(string account, string reference, AssociateRouteTableRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.SubnetId))
        {
            throw NimbusException.Invalid("subnetId", "is required");
        }

        return await store.WriteAsync(
            async (w, ct) =>
            {
                var table = await ReadTableAsync(w, account, reference, ct).ConfigureAwait(false);
                var spec = SpecOf(table);
                var routing = await LockAsync(w, spec.VpcId, ct).ConfigureAwait(false);
                var subnet = await w.GetAsync(request.SubnetId, ct).ConfigureAwait(false);
                if (subnet is null || subnet.Kind != NetworkKinds.Subnet || subnet.Account != account)
                {
                    throw NimbusException.Invalid("subnetId", $"'{request.SubnetId}' is not a subnet of this account");
                }

                if (Subnets.SubnetService.SpecOf(subnet).VpcId != spec.VpcId)
                {
                    throw NimbusException.Invalid("subnetId", $"subnet {subnet.Id} is in VPC {Subnets.SubnetService.SpecOf(subnet).VpcId}, not in the table's VPC {spec.VpcId}");
                }

                var previous = routing.Associations.GetValueOrDefault(subnet.Id) ?? routing.MainId;
                if (previous == table.Id)
                {
                    return table;
                }

                var associations = new Dictionary<string, string>(routing.Associations, StringComparer.Ordinal);
                if (spec.IsMain)
                {
                    associations.Remove(subnet.Id);
                }
                else
                {
                    associations[subnet.Id] = table.Id;
                }

                await WriteAsync(w, spec.VpcId, routing with { Associations = associations }, ct).ConfigureAwait(false);
                if (previous != routing.MainId && await w.GetAsync(previous, ct).ConfigureAwait(false) is { } old)
                {
                    var oldSpec = SpecOf(old);
                    await UpdateSpecAsync(w, old, oldSpec with { SubnetIds = [.. oldSpec.SubnetIds.Where(s => s != subnet.Id)] }, ct).ConfigureAwait(false);
                }

                return spec.IsMain ? table : await UpdateSpecAsync(w, table, spec with { SubnetIds = [.. spec.SubnetIds.Append(subnet.Id).Order(StringComparer.Ordinal)] }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the subnet out of the table: it uses its VPC's main table again.</summary>
    private Task<Resource> DisassociateCoreAsync(string account, string reference, string subnetId, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (w, ct) =>
            {
                var table = await ReadTableAsync(w, account, reference, ct).ConfigureAwait(false);
                var spec = SpecOf(table);
                var routing = await LockAsync(w, spec.VpcId, ct).ConfigureAwait(false);
                if (routing.Associations.GetValueOrDefault(subnetId) != table.Id)
                {
                    throw NimbusException.NotFound($"Association of subnet '{subnetId}' with route table {table.Id}");
                }

                var associations = new Dictionary<string, string>(routing.Associations, StringComparer.Ordinal);
                associations.Remove(subnetId);
                await WriteAsync(w, spec.VpcId, routing with { Associations = associations }, ct).ConfigureAwait(false);
                return await UpdateSpecAsync(w, table, spec with { SubnetIds = [.. spec.SubnetIds.Where(s => s != subnetId)] }, ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Adds a route: a destination outside the VPC's range, not in the table yet, to a target of the same VPC; the data path follows before the call returns.</summary>
    public Task<Resource> AddRouteAsync(string account, string reference, CreateRouteRequest request, CancellationToken cancellationToken) =>
        ThenApplyAsync(AddRouteCoreAsync(account, reference, request, cancellationToken));

    /// <summary>Removes the route to <paramref name="destinationCidr"/>; the local route stays.</summary>
    public Task<Resource> RemoveRouteAsync(string account, string reference, string? destinationCidr, CancellationToken cancellationToken) =>
        ThenApplyAsync(RemoveRouteCoreAsync(account, reference, destinationCidr, cancellationToken));

    /// <summary>Associates a subnet of the table's VPC with the table; it leaves the table it used before.</summary>
    public Task<Resource> AssociateAsync(string account, string reference, AssociateRouteTableRequest request, CancellationToken cancellationToken) =>
        ThenApplyAsync(AssociateCoreAsync(account, reference, request, cancellationToken));

    /// <summary>Takes the subnet out of the table: it uses its VPC's main table again.</summary>
    public Task<Resource> DisassociateAsync(string account, string reference, string subnetId, CancellationToken cancellationToken) =>
        ThenApplyAsync(DisassociateCoreAsync(account, reference, subnetId, cancellationToken));

    /// <summary>The table a subnet uses (its association, or its VPC's main table); null before the VPC has one.</summary>
    public static async Task<Resource?> TableOfSubnetAsync(IResourceStore store, string vpcId, string subnetId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var routing = await KeyValues.ReadAsync<VpcRouting>(store, VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        return routing is null ? null : await store.GetAsync(routing.Associations.GetValueOrDefault(subnetId) ?? routing.MainId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes the VPC's main table with its local route, in the caller's unit of work (the one that creates the VPC).</summary>
    internal static async Task AddMainAsync(IStoreWriter writer, Resource vpc, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(VpcRouting.Namespace, vpc.Id, cancellationToken).ConfigureAwait(false);
        var id = ResourceIds.New(NetworkKinds.RouteTablePrefix);
        await AddTableAsync(writer, vpc, id, id, isMain: true, null, now, cancellationToken).ConfigureAwait(false);
        await WriteAsync(writer, vpc.Id, new VpcRouting { MainId = id, TableIds = [id] }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the VPC's main table, in the unit of work that deletes the VPC; <c>DependencyViolation</c> while custom tables are left.</summary>
    internal static async Task RemoveVpcAsync(IStoreWriter writer, string vpcId, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        var routing = await KeyValues.ReadAsync<VpcRouting>(writer, VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        if (routing is null)
        {
            return;
        }

        var custom = routing.TableIds.Where(t => t != routing.MainId).Order(StringComparer.Ordinal).ToList();
        if (custom.Count > 0)
        {
            throw NetworkErrors.DependencyViolation($"VPC {vpcId}", custom.Select(t => "route table " + t));
        }

        if (await writer.GetAsync(routing.MainId, cancellationToken).ConfigureAwait(false) is not null)
        {
            await writer.DeleteAsync(routing.MainId, null, cancellationToken).ConfigureAwait(false);
        }

        await writer.DeleteValueAsync(VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a deleted subnet out of its table, in the unit of work that deletes it.</summary>
    internal static async Task ForgetSubnetAsync(IStoreWriter writer, string vpcId, string subnetId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        var routing = await KeyValues.ReadAsync<VpcRouting>(writer, VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        if (routing?.Associations.GetValueOrDefault(subnetId) is not { } tableId)
        {
            return;
        }

        var associations = new Dictionary<string, string>(routing.Associations, StringComparer.Ordinal);
        associations.Remove(subnetId);
        await WriteAsync(writer, vpcId, routing with { Associations = associations }, cancellationToken).ConfigureAwait(false);
        if (await writer.GetAsync(tableId, cancellationToken).ConfigureAwait(false) is { } table)
        {
            var spec = SpecOf(table);
            await writer.UpdateAsync(table with { Spec = JsonSerializer.SerializeToElement(spec with { SubnetIds = [.. spec.SubnetIds.Where(s => s != subnetId)] }, NimbusJson.Options), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Resource> ThenApplyAsync(Task<Resource> write)
    {
        var result = await write.ConfigureAwait(false);
        await changes.NotifyAsync(CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <summary>The table as answers show it: each route with its state (<see cref="RouteStates"/>).</summary>
    public Task<Resource> WithRouteStatesAsync(Resource table, CancellationToken cancellationToken) => RouteStates.WithStatesAsync(store, table, cancellationToken);

    /// <summary>Each table of a page as answers show it.</summary>
    public Task<ResourcePage> WithRouteStatesAsync(ResourcePage page, CancellationToken cancellationToken) => RouteStates.WithStatesAsync(store, page, cancellationToken);

    public static RouteTableSpec SpecOf(Resource table) => table.Spec.Deserialize<RouteTableSpec>(NimbusJson.Options)!;

    private async Task<ResourcePage> ListCoreAsync(string account, string? vpcId, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken)
    {
        var defaultVpc = await vpcs.EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        if (vpcId == VpcService.DefaultReference)
        {
            vpcId = defaultVpc.Id;
        }

        var page = await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.RouteTable, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken).ConfigureAwait(false);
        return vpcId is null ? page : page with { Items = [.. page.Items.Where(t => SpecOf(t).VpcId == vpcId)] };
    }

    private async Task<RouteDto> TargetAsync(IStoreWriter writer, string account, string vpcId, CreateRouteRequest request, string destination, CancellationToken cancellationToken)
    {
        var (field, id, kind, type) = request.NatGatewayId is { } ngw ? ("natGatewayId", ngw, NetworkKinds.NatGateway, NatGatewayTarget)
            : request.InstanceId is { } instance ? ("instanceId", instance, "compute/instance", InstanceTarget)
            : request.NetworkInterfaceId is { } eni ? ("networkInterfaceId", eni, "network/interface", NetworkInterfaceTarget)
            : ("peeringId", request.PeeringId!, NetworkKinds.Peering, PeeringTarget);
        var target = string.IsNullOrEmpty(id) ? null : await writer.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var what = type switch
        {
            NatGatewayTarget => "a NAT gateway",
            InstanceTarget => "an instance",
            NetworkInterfaceTarget => "a network interface",
            _ => "a VPC peering connection",
        };
        if (target is null || target.Kind != kind || (type != PeeringTarget && target.Account != account))
        {
            throw NimbusException.Invalid(field, $"'{id}' is not {what} of this account");
        }

        var vpcsOfTarget = type switch
        {
            InstanceTarget => [Property(target.Spec, "networkInterface", "networkId")],
            NetworkInterfaceTarget => [Property(target.Spec, "vpcId")],
            NatGatewayTarget => [Property(target.Spec, "vpcId")],
            _ => new[] { Property(target.Spec, "requesterVpcId"), Property(target.Spec, "accepterVpcId") },
        };
        if (type == PeeringTarget && target.Status.Phase != Peerings.PeeringService.ActivePhase)
        {
            throw new NimbusException(ErrorCodes.Conflict, 409, $"VPC peering connection {id} is {target.Status.Phase}; routes go to active peerings only.");
        }

        if (!vpcsOfTarget.Contains(vpcId))
        {
            throw NimbusException.Invalid(field, $"{id} is not in VPC {vpcId} (the route table's): a route's target must be {what} of the same VPC");
        }

        return new RouteDto { DestinationCidr = destination, TargetType = type, Target = id };
    }

    private static string? Property(JsonElement element, params string[] path)
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

    private async Task<Resource> UpdateSpecAsync(IStoreWriter writer, Resource table, RouteTableSpec spec, CancellationToken cancellationToken) =>
        await writer.UpdateAsync(table with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);

    private static async Task<Resource> AddTableAsync(
        IStoreWriter writer, Resource vpc, string id, string name, bool isMain, IReadOnlyDictionary<string, string>? tags, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await writer.GetByNameAsync(vpc.Account, NetworkKinds.RouteTable, name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw NimbusException.AlreadyExists($"Route table named '{name}' ({existing.Id})");
        }

        var spec = new RouteTableSpec
        {
            VpcId = vpc.Id,
            IsMain = isMain,
            Routes = [new RouteDto { DestinationCidr = VpcService.SpecOf(vpc).Cidr, TargetType = Local, Target = Local }],
        };
        return await writer.CreateAsync(
            new Resource
            {
                Id = id,
                Kind = NetworkKinds.RouteTable,
                Account = vpc.Account,
                Region = vpc.Region,
                Name = name,
                Tags = tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
                Status = new ResourceStatus { Phase = NetworkPhases.Available },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The VPC's routing record under its lock; a VPC made before route tables existed gets its main table now.</summary>
    private async Task<VpcRouting> LockAsync(IStoreWriter writer, string vpcId, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        if (await KeyValues.ReadAsync<VpcRouting>(writer, VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false) is { } routing)
        {
            return routing;
        }

        var vpc = await writer.GetAsync(vpcId, cancellationToken).ConfigureAwait(false) ?? throw NimbusException.NotFound($"VPC '{vpcId}'");
        await AddMainAsync(writer, vpc, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return (await KeyValues.ReadAsync<VpcRouting>(writer, VpcRouting.Namespace, vpcId, cancellationToken).ConfigureAwait(false))!;
    }

    private static Task WriteAsync(IStoreWriter writer, string vpcId, VpcRouting routing, CancellationToken cancellationToken) =>
        KeyValues.WriteAsync(writer, VpcRouting.Namespace, vpcId, routing, cancellationToken);

    private static async Task<Resource> ReadTableAsync(IStoreWriter writer, string account, string reference, CancellationToken cancellationToken)
    {
        var table = reference.StartsWith(NetworkKinds.RouteTablePrefix + "-", StringComparison.Ordinal)
            ? await writer.GetAsync(reference, cancellationToken).ConfigureAwait(false)
            : await writer.GetByNameAsync(account, NetworkKinds.RouteTable, reference, cancellationToken).ConfigureAwait(false);
        return table is not null && table.Kind == NetworkKinds.RouteTable && table.Account == account ? table : throw NimbusException.NotFound($"Route table '{reference}'");
    }

    private static async Task<Resource?> FindAsync(IResourceStore reader, string account, string reference, CancellationToken cancellationToken)
    {
        var table = reference.StartsWith(NetworkKinds.RouteTablePrefix + "-", StringComparison.Ordinal)
            ? await reader.GetAsync(reference, cancellationToken).ConfigureAwait(false)
            : await reader.GetByNameAsync(account, NetworkKinds.RouteTable, reference, cancellationToken).ConfigureAwait(false);
        return table is not null && table.Kind == NetworkKinds.RouteTable && table.Account == account ? table : null;
    }
}
