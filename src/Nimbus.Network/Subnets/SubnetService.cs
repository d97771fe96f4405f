using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Vpcs;

namespace Nimbus.Network.Subnets;

/// <summary>Subnets: validation and desired-state writes, their address usage, and the removal of an unused one.</summary>
public sealed class SubnetService(IResourceStore store, VpcService vpcs, NetworkOptions options, TimeProvider time, NetworkChanges changes)
{
    public async Task<Resource> CreateAsync(string account, CreateSubnetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.VpcId))
        {
            errors.Add("vpcId", "is required");
        }

        var range = Ipv4Range.TryParse(request.Cidr, out var cidrError);
        if (range is null)
        {
            errors.Add("cidr", cidrError!);
        }

        if (request.Zone is not null && !options.Zones.Contains(request.Zone, StringComparer.Ordinal))
        {
            errors.Add("zone", $"'{request.Zone}' is not a zone of region {options.Region} ({string.Join(", ", options.Zones)})");
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();

        var created = await store.WriteAsync(
            async (w, ct) =>
            {
                var vpc = await vpcs.ResolveAsync(w, account, request.VpcId!, ct).ConfigureAwait(false);
                var id = ResourceIds.New(NetworkKinds.SubnetPrefix);
                return await AddAsync(w, vpc, id, request.Name ?? id, range!, request.Zone ?? options.Zones[0], isDefault: false, request.Tags, time.GetUtcNow(), ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return await WithUsageAsync(created, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The subnet, with its address usage in <c>status.details</c>.</summary>
    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken)
    {
        var subnet = Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);
        return await WithUsageAsync(subnet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The account's subnets (of one VPC when <paramref name="vpcId"/> is given), each with its usage; the default VPC is made on first use.</summary>
    public async Task<ResourcePage> ListAsync(string account, string? vpcId, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken)
    {
        await vpcs.EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        var page = await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.Subnet, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken).ConfigureAwait(false);
        var items = new List<Resource>(page.Items.Count);
        foreach (var subnet in page.Items)
        {
            if (vpcId is null || SpecOf(subnet).VpcId == vpcId)
            {
                items.Add(await WithUsageAsync(subnet, cancellationToken).ConfigureAwait(false));
            }
        }

        return page with { Items = items };
    }

    /// <summary>Who holds each address of the subnet.</summary>
    public async Task<SubnetAddressesDto> AddressesAsync(string account, string id, CancellationToken cancellationToken)
    {
        var subnet = Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);
        var addresses = await SubnetIpam.ReadAsync(store, subnet.Id, cancellationToken).ConfigureAwait(false);
        return new SubnetAddressesDto
        {
            SubnetId = subnet.Id,
            Addresses = addresses is null ? [] :
            [
                .. addresses.Allocations
                    .OrderBy(a => Ipv4Range.ToUInt32(System.Net.IPAddress.Parse(a.Key)))
                    .Select(a => new SubnetAddressDto { Address = a.Key, InterfaceId = a.Value.InterfaceId, InstanceId = a.Value.InstanceId }),
            ],
        };
    }

    /// <summary>
    /// The default subnet of the account's default VPC in the region's first zone, made with the VPC on first use
    /// (its own unit of work, so that the run that needs it takes no resource lock before its address).
    /// </summary>
    public async Task<string> DefaultSubnetIdAsync(string account, CancellationToken cancellationToken)
    {
        var vpc = await vpcs.EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        var layout = await KeyValues.ReadAsync<VpcLayout>(store, VpcLayout.Namespace, vpc.Id, cancellationToken).ConfigureAwait(false) ?? new VpcLayout();
        string? fallback = null;
        foreach (var subnetId in layout.Subnets.Keys.Order(StringComparer.Ordinal))
        {
            if (await store.GetAsync(subnetId, cancellationToken).ConfigureAwait(false) is { Kind: NetworkKinds.Subnet } subnet)
            {
                var spec = SpecOf(subnet);
                if (spec.IsDefault && spec.Zone == options.Zones[0])
                {
                    return subnet.Id;
                }

                fallback ??= subnet.Id;
            }
        }

        return fallback ?? throw NimbusException.Invalid("subnetId", $"the default VPC {vpc.Id} has no subnet left; create one (or delete the default VPC to have it made again) or name a subnet");
    }

    /// <summary>
    /// Takes an address of the caller's subnet for an interface, in the caller's unit of work: the requested one or the
    /// next free one. <c>InvalidParameter</c> for a subnet that is not the caller's, <c>IpAddressExhausted</c> when full.
    /// </summary>
    public static async Task<InterfacePlacement> AllocateInterfaceAsync(
        IStoreWriter writer, string account, string subnetId, AddressHolder holder, string? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(holder);
        var subnet = await writer.GetAsync(subnetId, cancellationToken).ConfigureAwait(false);
        if (subnet is null || subnet.Kind != NetworkKinds.Subnet || subnet.Account != account)
        {
            throw NimbusException.Invalid("subnetId", $"'{subnetId}' is not a subnet of this account");
        }

        var spec = SpecOf(subnet);
        var address = await SubnetIpam.AllocateAsync(writer, subnet.Id, holder, requested, cancellationToken).ConfigureAwait(false);
        var range = Ipv4Range.Parse(spec.Cidr);
        return new InterfacePlacement(spec.VpcId, subnet.Id, spec.Zone, address, range.PrefixLength, Ipv4Range.Format(range.Gateway),
            Ipv4Range.MacFor(Ipv4Range.ToUInt32(System.Net.IPAddress.Parse(address))));
    }

    /// <summary>
    /// Removes a subnet no interface uses (<c>DependencyViolation</c> naming them otherwise). The nodes hear of it: its
    /// gateway leaves the VPC's bridge, which stays while the VPC exists.
    /// </summary>
    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        await DeleteCoreAsync(account, id, cancellationToken).ConfigureAwait(false);
        await changes.NotifyAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private Task DeleteCoreAsync(string account, string id, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var subnet = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var spec = SpecOf(subnet);
                await w.LockKeyAsync(VpcLayout.Namespace, spec.VpcId, ct).ConfigureAwait(false);
                await w.LockKeyAsync(SubnetAddresses.Namespace, subnet.Id, ct).ConfigureAwait(false);
                var addresses = await KeyValues.ReadAsync<SubnetAddresses>(w, SubnetAddresses.Namespace, subnet.Id, ct).ConfigureAwait(false);
                if (addresses is { Allocations.Count: > 0 })
                {
                    throw NetworkErrors.DependencyViolation(
                        $"Subnet {subnet.Id}",
                        addresses.Allocations.Values.Select(h => h.InstanceId is null ? $"interface {h.InterfaceId}" : $"interface {h.InterfaceId} of instance {h.InstanceId}").Order(StringComparer.Ordinal));
                }

                var layout = await KeyValues.ReadAsync<VpcLayout>(w, VpcLayout.Namespace, spec.VpcId, ct).ConfigureAwait(false) ?? new VpcLayout();
                var subnets = new Dictionary<string, string>(layout.Subnets, StringComparer.Ordinal);
                subnets.Remove(subnet.Id);
                await KeyValues.WriteAsync(w, VpcLayout.Namespace, spec.VpcId, layout with { Subnets = subnets }, ct).ConfigureAwait(false);
                await RouteTables.RouteTableService.ForgetSubnetAsync(w, spec.VpcId, subnet.Id, time.GetUtcNow(), ct).ConfigureAwait(false);
                await w.DeleteValueAsync(SubnetAddresses.Namespace, subnet.Id, ct).ConfigureAwait(false);
                await w.DeleteAsync(subnet.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Adds a subnet to <paramref name="vpc"/> in the caller's unit of work: inside the VPC's range, overlapping none of
    /// its subnets, with an empty address table.
    /// </summary>
    internal static async Task<Resource> AddAsync(
        IStoreWriter writer, Resource vpc, string id, string name, Ipv4Range range, string zone, bool isDefault,
        IReadOnlyDictionary<string, string>? tags, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var vpcRange = Ipv4Range.Parse(VpcService.SpecOf(vpc).Cidr);
        if (!vpcRange.Contains(range))
        {
            throw NimbusException.Invalid("cidr", $"{range} is not inside the range of VPC {vpc.Id} ({vpcRange})");
        }

        await writer.LockKeyAsync(VpcLayout.Namespace, vpc.Id, cancellationToken).ConfigureAwait(false);
        var layout = await KeyValues.ReadAsync<VpcLayout>(writer, VpcLayout.Namespace, vpc.Id, cancellationToken).ConfigureAwait(false) ?? new VpcLayout();
        foreach (var (otherId, otherCidr) in layout.Subnets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (Ipv4Range.Parse(otherCidr).Overlaps(range))
            {
                throw NetworkErrors.CidrConflict($"{range} overlaps subnet {otherId} ({otherCidr}) of VPC {vpc.Id}.");
            }
        }

        if (await writer.GetByNameAsync(vpc.Account, NetworkKinds.Subnet, name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw NimbusException.AlreadyExists($"Subnet named '{name}' ({existing.Id})");
        }

        await KeyValues.WriteAsync(writer, VpcLayout.Namespace, vpc.Id, layout with { Subnets = new(layout.Subnets, StringComparer.Ordinal) { [id] = range.ToString() } }, cancellationToken).ConfigureAwait(false);
        await KeyValues.WriteAsync(writer, SubnetAddresses.Namespace, id, new SubnetAddresses { Cidr = range.ToString() }, cancellationToken).ConfigureAwait(false);
        return await writer.CreateAsync(
            new Resource
            {
                Id = id,
                Kind = NetworkKinds.Subnet,
                Account = vpc.Account,
                Region = vpc.Region,
                Name = name,
                Tags = tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Spec = JsonSerializer.SerializeToElement(new SubnetSpec { VpcId = vpc.Id, Cidr = range.ToString(), Zone = zone, IsDefault = isDefault }, NimbusJson.Options),
                Status = new ResourceStatus { Phase = NetworkPhases.Available },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public static SubnetSpec SpecOf(Resource subnet) => subnet.Spec.Deserialize<SubnetSpec>(NimbusJson.Options)!;

    private async Task<Resource> WithUsageAsync(Resource subnet, CancellationToken cancellationToken)
    {
        var range = Ipv4Range.Parse(SpecOf(subnet).Cidr);
        var addresses = await SubnetIpam.ReadAsync(store, subnet.Id, cancellationToken).ConfigureAwait(false);
        var used = addresses?.Allocations.Count ?? 0;
        var details = new SubnetDetailsDto
        {
            Gateway = Ipv4Range.Format(range.Gateway),
            UsableIpAddressCount = range.UsableCount,
            UsedIpAddressCount = used,
            AvailableIpAddressCount = range.UsableCount - used,
        };
        return subnet with { Status = subnet.Status with { Details = JsonSerializer.SerializeToElement(details, NimbusJson.Options) } };
    }

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != NetworkKinds.Subnet || resource.Account != account ? throw NimbusException.NotFound($"Subnet '{id}'") : resource;
}

/// <summary>Where an interface landed: its VPC, subnet and zone, its address with the subnet's prefix and gateway, and the MAC address derived from it.</summary>
public sealed record InterfacePlacement(string VpcId, string SubnetId, string Zone, string PrivateIpAddress, int PrefixLength, string Gateway, string MacAddress);
