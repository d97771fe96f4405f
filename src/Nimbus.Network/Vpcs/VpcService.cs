using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;

namespace Nimbus.Network.Vpcs;

/// <summary>
/// VPCs: validation and desired-state writes, the installation-wide range registry, and each account's default VPC,
/// made on first use (listing VPCs or subnets, running an instance without a subnet) in one unit of work with a
/// default subnet per zone.
/// </summary>
public sealed class VpcService(IResourceStore store, QuotaService quotas, NetworkOptions options, TimeProvider time, IEnumerable<IVpcDependents> dependents, NetworkChanges changes)
{
    /// <summary>What a request may say instead of the id of the account's default VPC.</summary>
    public const string DefaultReference = "default";

    private const string DefaultsNamespace = "network.default-vpcs";

    public async Task<Resource> CreateAsync(string account, CreateVpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        CommonValidation.Name(errors, "name", request.Name);
        if (request.Name == DefaultReference)
        {
            errors.Add("name", "'default' is the name of the account's default VPC");
        }

        var range = Ipv4Range.TryParse(request.Cidr, out var cidrError);
        if (range is null)
        {
            errors.Add("cidr", cidrError!);
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                await quotas.ConsumeAsync(w, account, NetworkQuotas.Vpcs.Code, 1, ct).ConfigureAwait(false);
                var vpc = await AddAsync(w, account, ResourceIds.New(NetworkKinds.VpcPrefix), request.Name!, range!, isDefault: false, request.Tags, ct).ConfigureAwait(false);
                foreach (var dependent in dependents)
                {
                    await dependent.CreatedAsync(w, vpc, ct).ConfigureAwait(false);
                }

                return vpc;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<Resource> GetAsync(string account, string idOrDefault, CancellationToken cancellationToken)
    {
        if (idOrDefault == DefaultReference)
        {
            return await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        }

        return Owned(await store.GetAsync(idOrDefault, cancellationToken).ConfigureAwait(false), account, idOrDefault);
    }

    /// <summary>The account's VPCs; the default VPC is made on first use.</summary>
    public async Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken)
    {
        await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        return await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.Vpc, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a VPC that has no subnet left (<c>DependencyViolation</c> naming them otherwise); its range is free again.
    /// The nodes hear of it (a node keeps a VPC's bridge while the VPC exists, and removes it now).
    /// </summary>
    public async Task DeleteAsync(string account, string idOrDefault, CancellationToken cancellationToken)
    {
        await DeleteCoreAsync(account, idOrDefault, cancellationToken).ConfigureAwait(false);
        await changes.NotifyAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private Task DeleteCoreAsync(string account, string idOrDefault, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var vpc = idOrDefault == DefaultReference
                    ? await ResolveAsync(w, account, idOrDefault, ct).ConfigureAwait(false)
                    : Owned(await w.GetAsync(idOrDefault, ct).ConfigureAwait(false), account, idOrDefault);
                var spec = SpecOf(vpc);
                if (spec.IsDefault)
                {
                    await w.LockKeyAsync(DefaultsNamespace, account, ct).ConfigureAwait(false);
                }
                else
                {
                    await quotas.ReleaseAsync(w, account, NetworkQuotas.Vpcs.Code, 1, ct).ConfigureAwait(false);
                }

                await w.LockKeyAsync(VpcRegistry.Namespace, VpcRegistry.Key, ct).ConfigureAwait(false);
                await w.LockKeyAsync(VpcLayout.Namespace, vpc.Id, ct).ConfigureAwait(false);
                var layout = await KeyValues.ReadAsync<VpcLayout>(w, VpcLayout.Namespace, vpc.Id, ct).ConfigureAwait(false);
                if (layout is { Subnets.Count: > 0 })
                {
                    throw NetworkErrors.DependencyViolation($"VPC {vpc.Id}", layout.Subnets.Keys.Order(StringComparer.Ordinal).Select(s => "subnet " + s));
                }

                if (!spec.IsDefault)
                {
                    foreach (var dependent in dependents)
                    {
                        await dependent.DeletingAsync(w, vpc, ct).ConfigureAwait(false);
                    }
                }

                await RouteTables.RouteTableService.RemoveVpcAsync(w, vpc.Id, ct).ConfigureAwait(false);
                var registry = await KeyValues.ReadAsync<VpcRegistry>(w, VpcRegistry.Namespace, VpcRegistry.Key, ct).ConfigureAwait(false) ?? new VpcRegistry();
                var vpcs = new Dictionary<string, RegisteredVpc>(registry.Vpcs, StringComparer.Ordinal);
                vpcs.Remove(vpc.Id);
                await KeyValues.WriteAsync(w, VpcRegistry.Namespace, VpcRegistry.Key, registry with { Vpcs = vpcs }, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(VpcLayout.Namespace, vpc.Id, ct).ConfigureAwait(false);
                if (spec.IsDefault)
                {
                    await w.DeleteValueAsync(DefaultsNamespace, account, ct).ConfigureAwait(false);
                }

                await w.DeleteAsync(vpc.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// The account's default VPC, made now when it has none: the first free block of <see cref="NetworkOptions.DefaultVpcPool"/>
    /// and a default subnet per zone, all in one unit of work (two concurrent first uses make one).
    /// </summary>
    public async Task<Resource> EnsureDefaultAsync(string account, CancellationToken cancellationToken)
    {
        if (await store.GetValueAsync(DefaultsNamespace, account, cancellationToken).ConfigureAwait(false) is { } known
            && await store.GetAsync(Encoding.UTF8.GetString(known), cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        return await store.WriteAsync((w, ct) => EnsureDefaultAsync(w, account, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The VPC a request names (an id, or <c>default</c>) in the caller's unit of work; <c>NotFound</c> unless it is the account's.</summary>
    public async Task<Resource> ResolveAsync(IStoreWriter writer, string account, string idOrDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (idOrDefault == DefaultReference)
        {
            return await EnsureDefaultAsync(writer, account, cancellationToken).ConfigureAwait(false);
        }

        return Owned(await writer.GetAsync(idOrDefault, cancellationToken).ConfigureAwait(false), account, idOrDefault);
    }

    public static VpcSpec SpecOf(Resource vpc) => vpc.Spec.Deserialize<VpcSpec>(NimbusJson.Options)!;

    private async Task<Resource> EnsureDefaultAsync(IStoreWriter writer, string account, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(DefaultsNamespace, account, cancellationToken).ConfigureAwait(false);
        if (await writer.GetValueAsync(DefaultsNamespace, account, cancellationToken).ConfigureAwait(false) is { } known
            && await writer.GetAsync(Encoding.UTF8.GetString(known), cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var pool = Ipv4Range.Parse(options.DefaultVpcPool);
        await writer.LockKeyAsync(VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false);
        var registry = await KeyValues.ReadAsync<VpcRegistry>(writer, VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false) ?? new VpcRegistry();
        var taken = registry.Vpcs.Values.Select(v => Ipv4Range.Parse(v.Cidr)).Concat(options.ReservedCidrs.Select(Ipv4Range.Parse)).ToList();
        var blockSize = 1L << (32 - options.DefaultVpcPrefixLength);
        Ipv4Range? chosen = null;
        for (var start = (long)pool.Network; start + blockSize <= pool.Network + pool.Size; start += blockSize)
        {
            var candidate = new Ipv4Range((uint)start, options.DefaultVpcPrefixLength);
            if (!taken.Any(t => t.Overlaps(candidate)))
            {
                chosen = candidate;
                break;
            }
        }

        if (chosen is null)
        {
            throw NetworkErrors.CidrConflict($"No /{options.DefaultVpcPrefixLength} of the default VPC pool {pool} is free on this installation; create a VPC and subnet of your own and run instances with --subnet.");
        }

        var vpc = await AddAsync(writer, account, ResourceIds.New(NetworkKinds.VpcPrefix), DefaultReference, chosen, isDefault: true, tags: null, cancellationToken).ConfigureAwait(false);
        var subnetSize = 1L << (32 - options.DefaultSubnetPrefixLength);
        for (var i = 0; i < options.Zones.Count; i++)
        {
            var zone = options.Zones[i];
            var block = new Ipv4Range((uint)(chosen.Network + (i * subnetSize)), options.DefaultSubnetPrefixLength);
            await SubnetService.AddAsync(writer, vpc, ResourceIds.New(NetworkKinds.SubnetPrefix), "default-" + zone, block, zone, isDefault: true, tags: null, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        await writer.PutValueAsync(DefaultsNamespace, account, Encoding.UTF8.GetBytes(vpc.Id), cancellationToken).ConfigureAwait(false);
        return vpc;
    }

    /// <summary>Registers the range (no overlap with any VPC of the installation or a reserved range) and creates the VPC, in the caller's unit of work.</summary>
    private async Task<Resource> AddAsync(
        IStoreWriter writer, string account, string id, string name, Ipv4Range range, bool isDefault, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false);
        var registry = await KeyValues.ReadAsync<VpcRegistry>(writer, VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false) ?? new VpcRegistry();
        foreach (var reserved in options.ReservedCidrs)
        {
            if (Ipv4Range.Parse(reserved).Overlaps(range))
            {
                throw NetworkErrors.CidrConflict($"{range} overlaps {reserved}, which this installation reserves (the compute service's legacy default network). Choose another range.");
            }
        }

        foreach (var (otherId, other) in registry.Vpcs.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (Ipv4Range.Parse(other.Cidr).Overlaps(range))
            {
                // Another account's VPC is not named: its id is none of the caller's business.
                throw NetworkErrors.CidrConflict(other.Account == account
                    ? $"{range} overlaps VPC {otherId} ({other.Cidr}). VPC ranges may not overlap on this installation."
                    : $"{range} overlaps a VPC range in use on this installation (VPC ranges may not overlap: one host routes them all). Choose another range.");
            }
        }

        if (await writer.GetByNameAsync(account, NetworkKinds.Vpc, name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw NimbusException.AlreadyExists($"VPC named '{name}' ({existing.Id})");
        }

        var vpcs = new Dictionary<string, RegisteredVpc>(registry.Vpcs, StringComparer.Ordinal) { [id] = new RegisteredVpc(account, range.ToString()) };
        await KeyValues.WriteAsync(writer, VpcRegistry.Namespace, VpcRegistry.Key, registry with { Vpcs = vpcs }, cancellationToken).ConfigureAwait(false);
        await KeyValues.WriteAsync(writer, VpcLayout.Namespace, id, new VpcLayout(), cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var created = await writer.CreateAsync(
            new Resource
            {
                Id = id,
                Kind = NetworkKinds.Vpc,
                Account = account,
                Region = options.Region,
                Name = name,
                Tags = tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Spec = JsonSerializer.SerializeToElement(new VpcSpec { Cidr = range.ToString(), IsDefault = isDefault }, NimbusJson.Options),
                Status = new ResourceStatus { Phase = NetworkPhases.Available },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        await RouteTables.RouteTableService.AddMainAsync(writer, created, now, cancellationToken).ConfigureAwait(false);
        return created;
    }

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != NetworkKinds.Vpc || resource.Account != account ? throw NimbusException.NotFound($"VPC '{id}'") : resource;
}
