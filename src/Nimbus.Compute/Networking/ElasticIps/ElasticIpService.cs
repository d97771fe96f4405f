using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Compute.Instances;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Networking.ElasticIps;

/// <summary>
/// Elastic IPs: addresses of the host-side pool (<see cref="ComputeOptions.ElasticIpPool"/>) that an account holds
/// and maps to an instance's private IP. Every write holds the pool record's lock (<see cref="ElasticIpPoolState"/>);
/// after it commits the node's ruleset is rebuilt from the store, so a change is in the kernel (and the address on
/// its device) when the call returns.
/// </summary>
public sealed class ElasticIpService(IResourceStore store, QuotaService quotas, DefaultNetwork network, ComputeOptions options, TimeProvider time)
{
    public const string Kind = "network/eip";
    public const string Prefix = "eipalloc";
    public const string AvailablePhase = "available";
    public const string AssociatedPhase = "associated";

    public async Task<Resource> AllocateAsync(string account, AllocateAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.StartsWith(Prefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'eipalloc-' (ids do)");
            }
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();
        var pool = HostRange.TryParse(options.ElasticIpPool, out var poolError)
            ?? throw new InvalidOperationException($"ComputeOptions.ElasticIpPool {options.ElasticIpPool} {poolError}");
        var created = await store.WriteAsync(
            async (w, ct) =>
            {
                await quotas.ConsumeAsync(w, account, ElasticIpQuotas.ElasticIps.Code, 1, ct).ConfigureAwait(false);
                var id = ResourceIds.New(Prefix);
                var name = request.Name ?? id;
                if (await w.GetByNameAsync(account, Kind, name, ct).ConfigureAwait(false) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"Elastic IP named '{name}' ({existing.Id})");
                }

                var state = await ReadLockedAsync(w, ct).ConfigureAwait(false);
                var (first, last) = pool.Usable;
                var usable = (long)last - first + 1;
                for (long step = 0; step < usable; step++)
                {
                    var offset = (state.Cursor + step) % usable;
                    var address = HostRange.Format((uint)(first + offset));
                    if (state.Addresses.ContainsKey(address))
                    {
                        continue;
                    }

                    var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal)
                    {
                        [address] = new ElasticIpEntry { AllocationId = id, Account = account },
                    };
                    await WriteAsync(w, state with { Cursor = (offset + 1) % usable, Addresses = addresses }, ct).ConfigureAwait(false);
                    var now = time.GetUtcNow();
                    return await w.CreateAsync(
                        new Resource
                        {
                            Id = id,
                            Kind = Kind,
                            Account = account,
                            Region = options.Region,
                            Name = name,
                            Tags = request.Tags is null ? ImmutableSortedDictionary<string, string>.Empty : request.Tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                            Spec = JsonSerializer.SerializeToElement(new ElasticIpSpec { PublicIp = address }, NimbusJson.Options),
                            Status = new ResourceStatus { Phase = AvailablePhase },
                            CreatedAt = now,
                            UpdatedAt = now,
                        },
                        ct).ConfigureAwait(false);
                }

                throw new NimbusException(ErrorCodes.IpAddressExhausted, 409, $"The elastic IP pool {pool} has no free address left ({usable} addresses, all allocated). Release elastic IPs first.");
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    /// <summary>An elastic IP of the account by id, name or address.</summary>
    public async Task<Resource> GetAsync(string account, string reference, CancellationToken cancellationToken) =>
        await FindAsync(store, account, reference, cancellationToken).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Elastic IP '{reference}'");

    /// <summary>
    /// Maps the elastic IP to an instance's primary private IP or an interface's. An elastic IP associated elsewhere
    /// moves only with <see cref="AssociateAddressRequest.AllowReassociation"/>; a target that has another elastic IP
    /// loses it (one elastic IP per private IP).
    /// </summary>
    public async Task<Resource> AssociateAsync(string account, string reference, AssociateAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if ((request.InstanceId is null) == (request.NetworkInterfaceId is null))
        {
            errors.Add("instanceId", "give exactly one target: instanceId or networkInterfaceId");
        }

        if (request.PrivateIpAddress is not null && !System.Net.IPAddress.TryParse(request.PrivateIpAddress, out _))
        {
            errors.Add("privateIpAddress", $"'{request.PrivateIpAddress}' is not an IPv4 address");
        }

        errors.ThrowIfAny();
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var state = await ReadLockedAsync(w, ct).ConfigureAwait(false);
                var eip = await FindAsync(w, account, reference, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Elastic IP '{reference}'");
                var spec = SpecOf(eip);
                if (spec.NatGatewayId is { } natGateway)
                {
                    throw new NimbusException(ErrorCodes.DependencyViolation, 409, $"Elastic IP {spec.PublicIp} ({eip.Id}) is used by NAT gateway {natGateway}; delete the gateway first.");
                }

                var (instanceId, interfaceId, privateIp) = await ResolveTargetAsync(w, account, request, ct).ConfigureAwait(false);
                if (spec.PrivateIpAddress == privateIp && spec.InstanceId == instanceId)
                {
                    return eip;
                }

                if (spec.PrivateIpAddress is not null && request.AllowReassociation != true)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409,
                        $"Elastic IP {spec.PublicIp} ({eip.Id}) is associated with {spec.InstanceId ?? spec.NetworkInterfaceId} ({spec.PrivateIpAddress}); disassociate it first or pass allowReassociation (--allow-reassociation).");
                }

                var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);

                // One elastic IP per private IP: the target's old one is disassociated.
                foreach (var (otherIp, other) in state.Addresses.Where(a => a.Value.PrivateIpAddress == privateIp && a.Value.AllocationId != eip.Id).ToList())
                {
                    addresses[otherIp] = other with { InstanceId = null, InterfaceId = null, PrivateIpAddress = null };
                    if (await w.GetAsync(other.AllocationId, ct).ConfigureAwait(false) is { } otherEip)
                    {
                        await SetTargetAsync(w, otherEip, null, null, null, ct).ConfigureAwait(false);
                    }
                }

                addresses[spec.PublicIp] = addresses[spec.PublicIp] with { InstanceId = instanceId, InterfaceId = interfaceId, PrivateIpAddress = privateIp };
                await WriteAsync(w, state with { Addresses = addresses }, ct).ConfigureAwait(false);
                return await SetTargetAsync(w, eip, instanceId, interfaceId, privateIp, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>Removes the elastic IP's mapping; nothing to do when it has none.</summary>
    public async Task<Resource> DisassociateAsync(string account, string reference, CancellationToken cancellationToken)
    {
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var state = await ReadLockedAsync(w, ct).ConfigureAwait(false);
                var eip = await FindAsync(w, account, reference, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Elastic IP '{reference}'");
                var spec = SpecOf(eip);
                if (spec.PrivateIpAddress is null)
                {
                    return eip;
                }

                var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);
                if (addresses.TryGetValue(spec.PublicIp, out var entry))
                {
                    addresses[spec.PublicIp] = entry with { InstanceId = null, InterfaceId = null, PrivateIpAddress = null };
                }

                await WriteAsync(w, state with { Addresses = addresses }, ct).ConfigureAwait(false);
                return await SetTargetAsync(w, eip, null, null, null, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>Gives the address back to the pool (and takes it off the host's device); <c>DependencyViolation</c> while it is associated.</summary>
    public async Task ReleaseAsync(string account, string reference, CancellationToken cancellationToken)
    {
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var state = await ReadLockedAsync(w, ct).ConfigureAwait(false);
                var eip = await FindAsync(w, account, reference, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Elastic IP '{reference}'");
                var spec = SpecOf(eip);
                if (spec.NatGatewayId is { } natGateway)
                {
                    throw new NimbusException(ErrorCodes.DependencyViolation, 409, $"Elastic IP {spec.PublicIp} ({eip.Id}) is used by NAT gateway {natGateway}; delete the gateway first.");
                }

                if (spec.PrivateIpAddress is not null)
                {
                    throw new NimbusException(ErrorCodes.DependencyViolation, 409,
                        $"Elastic IP {spec.PublicIp} ({eip.Id}) is associated with {spec.InstanceId ?? spec.NetworkInterfaceId} ({spec.PrivateIpAddress}); disassociate it first.");
                }

                var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);
                addresses.Remove(spec.PublicIp);
                await WriteAsync(w, state with { Addresses = addresses }, ct).ConfigureAwait(false);
                await quotas.ReleaseAsync(w, account, ElasticIpQuotas.ElasticIps.Code, 1, ct).ConfigureAwait(false);
                await w.DeleteAsync(eip.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Disassociates every elastic IP of a terminated instance, in the caller's unit of work (the one that marks it
    /// terminated): the addresses stay allocated to the account, as on public clouds.
    /// </summary>
    public static async Task ForgetInstanceAsync(IStoreWriter writer, string instanceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = await ReadLockedAsync(writer, cancellationToken).ConfigureAwait(false);
        var held = state.Addresses.Where(a => a.Value.InstanceId == instanceId).ToList();
        if (held.Count == 0)
        {
            return;
        }

        var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);
        foreach (var (address, entry) in held)
        {
            addresses[address] = entry with { InstanceId = null, InterfaceId = null, PrivateIpAddress = null };
            if (await writer.GetAsync(entry.AllocationId, cancellationToken).ConfigureAwait(false) is { } eip)
            {
                await SetTargetAsync(writer, eip, null, null, null, now, cancellationToken).ConfigureAwait(false);
            }
        }

        await WriteAsync(writer, state with { Addresses = addresses }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the account's elastic IP <paramref name="reference"/> (id, name or address) to NAT gateway
    /// <paramref name="natGatewayId"/>, in the caller's unit of work; <c>InvalidParameter</c> when it is not the
    /// account's, <c>Conflict</c> when it is associated. Returns its allocation id and address.
    /// </summary>
    internal static async Task<(string AllocationId, string PublicIp)> AttachNatGatewayAsync(IStoreWriter writer, string account, string reference, string natGatewayId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = await ReadLockedAsync(writer, cancellationToken).ConfigureAwait(false);
        var eip = await FindAsync(writer, account, reference, cancellationToken).ConfigureAwait(false)
            ?? throw NimbusException.Invalid("allocationId", $"'{reference}' is not an elastic IP of this account");
        var spec = SpecOf(eip);
        if (spec.NatGatewayId is not null || spec.PrivateIpAddress is not null)
        {
            throw new NimbusException(ErrorCodes.Conflict, 409,
                $"Elastic IP {spec.PublicIp} ({eip.Id}) is associated with {spec.NatGatewayId ?? spec.InstanceId ?? spec.NetworkInterfaceId}; a NAT gateway needs an unassociated elastic IP.");
        }

        var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);
        addresses[spec.PublicIp] = addresses[spec.PublicIp] with { NatGatewayId = natGatewayId };
        await WriteAsync(writer, state with { Addresses = addresses }, cancellationToken).ConfigureAwait(false);
        await SetNatGatewayAsync(writer, eip, natGatewayId, now, cancellationToken).ConfigureAwait(false);
        return (eip.Id, spec.PublicIp);
    }

    /// <summary>Takes the elastic IP back from a deleted NAT gateway, in the caller's unit of work: it is available again.</summary>
    internal static async Task DetachNatGatewayAsync(IStoreWriter writer, string allocationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = await ReadLockedAsync(writer, cancellationToken).ConfigureAwait(false);
        if (await writer.GetAsync(allocationId, cancellationToken).ConfigureAwait(false) is not { } eip)
        {
            return;
        }

        var spec = SpecOf(eip);
        var addresses = new Dictionary<string, ElasticIpEntry>(state.Addresses, StringComparer.Ordinal);
        if (addresses.TryGetValue(spec.PublicIp, out var entry))
        {
            addresses[spec.PublicIp] = entry with { NatGatewayId = null };
        }

        await WriteAsync(writer, state with { Addresses = addresses }, cancellationToken).ConfigureAwait(false);
        await SetNatGatewayAsync(writer, eip, null, now, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SetNatGatewayAsync(IStoreWriter writer, Resource eip, string? natGatewayId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = SpecOf(eip) with { NatGatewayId = natGatewayId };
        var updated = await writer.UpdateAsync(eip with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        await writer.UpdateStatusAsync(
            updated.Id, updated.Version, updated.Status with { Phase = natGatewayId is null ? AvailablePhase : AssociatedPhase, ObservedVersion = updated.Version }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pool record as stored now (empty before the first allocation).</summary>
    public static async Task<ElasticIpPoolState> ReadAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var value = await store.GetValueAsync(ElasticIpPoolState.Namespace, ElasticIpPoolState.Key, cancellationToken).ConfigureAwait(false);
        return value is null ? new ElasticIpPoolState() : JsonSerializer.Deserialize<ElasticIpPoolState>(value, NimbusJson.Options)!;
    }

    public static ElasticIpSpec SpecOf(Resource eip) => eip.Spec.Deserialize<ElasticIpSpec>(NimbusJson.Options)!;

    private async Task<(string InstanceId, string InterfaceId, string PrivateIp)> ResolveTargetAsync(IStoreWriter writer, string account, AssociateAddressRequest request, CancellationToken cancellationToken)
    {
        string instanceId;
        if (request.InstanceId is { } requested)
        {
            instanceId = requested;
        }
        else
        {
            var found = await network.FindInterfaceAsync(writer, request.NetworkInterfaceId!, cancellationToken).ConfigureAwait(false);
            if (found is null || found.Account != account)
            {
                throw NimbusException.Invalid("networkInterfaceId", $"'{request.NetworkInterfaceId}' is not a network interface of this account");
            }

            instanceId = found.InstanceId;
        }

        var instance = await writer.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (instance is null || instance.Kind != ComputeKinds.Instance || instance.Account != account)
        {
            throw NimbusException.Invalid("instanceId", $"'{instanceId}' is not an instance of this account");
        }

        var spec = InstanceService.SpecOf(instance);
        if (instance.Status.Phase == InstanceStates.Terminated || spec.DesiredState == InstanceStates.Terminated)
        {
            throw new NimbusException(ErrorCodes.IncorrectInstanceState, 409, $"Instance {instance.Id} is terminated (or being terminated); an elastic IP cannot be associated with it.");
        }

        if (spec.NetworkInterface is not { } nic)
        {
            throw new NimbusException(ErrorCodes.IncorrectInstanceState, 409, $"Instance {instance.Id} has no network interface.");
        }

        if (request.NetworkInterfaceId is not null && request.NetworkInterfaceId != nic.InterfaceId)
        {
            throw NimbusException.Invalid("networkInterfaceId", $"'{request.NetworkInterfaceId}' is not a network interface of this account");
        }

        if (request.PrivateIpAddress is not null && request.PrivateIpAddress != nic.PrivateIpAddress)
        {
            throw NimbusException.Invalid("privateIpAddress", $"'{request.PrivateIpAddress}' is not a private IP of interface {nic.InterfaceId} ({nic.PrivateIpAddress})");
        }

        return (instance.Id, nic.InterfaceId, nic.PrivateIpAddress);
    }

    private Task<Resource> SetTargetAsync(IStoreWriter writer, Resource eip, string? instanceId, string? interfaceId, string? privateIp, CancellationToken cancellationToken) =>
        SetTargetAsync(writer, eip, instanceId, interfaceId, privateIp, time.GetUtcNow(), cancellationToken);

    private static async Task<Resource> SetTargetAsync(
        IStoreWriter writer, Resource eip, string? instanceId, string? interfaceId, string? privateIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = SpecOf(eip) with { InstanceId = instanceId, NetworkInterfaceId = interfaceId, PrivateIpAddress = privateIp };
        var updated = await writer.UpdateAsync(eip with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        return await writer.UpdateStatusAsync(
            updated.Id, updated.Version, updated.Status with { Phase = privateIp is null ? AvailablePhase : AssociatedPhase, ObservedVersion = updated.Version }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        // The pool's addresses go on the host's device at once, instances or not: the bridge is made if need be.
        await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await network.ApplyRulesAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<ElasticIpPoolState> ReadLockedAsync(IStoreWriter writer, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(ElasticIpPoolState.Namespace, ElasticIpPoolState.Key, cancellationToken).ConfigureAwait(false);
        var value = await writer.GetValueAsync(ElasticIpPoolState.Namespace, ElasticIpPoolState.Key, cancellationToken).ConfigureAwait(false);
        return value is null ? new ElasticIpPoolState() : JsonSerializer.Deserialize<ElasticIpPoolState>(value, NimbusJson.Options)!;
    }

    private static Task WriteAsync(IStoreWriter writer, ElasticIpPoolState state, CancellationToken cancellationToken) =>
        writer.PutValueAsync(ElasticIpPoolState.Namespace, ElasticIpPoolState.Key, JsonSerializer.SerializeToUtf8Bytes(state, NimbusJson.Options), cancellationToken);

    private static async Task<Resource?> FindAsync(IResourceStore reader, string account, string reference, CancellationToken cancellationToken)
    {
        if (reference.StartsWith(Prefix + "-", StringComparison.Ordinal))
        {
            var byId = await reader.GetAsync(reference, cancellationToken).ConfigureAwait(false);
            return byId is not null && byId.Kind == Kind && byId.Account == account ? byId : null;
        }

        if (System.Net.IPAddress.TryParse(reference, out _))
        {
            var state = await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            return state.Addresses.TryGetValue(reference, out var entry) && entry.Account == account
                ? await reader.GetAsync(entry.AllocationId, cancellationToken).ConfigureAwait(false)
                : null;
        }

        return await reader.GetByNameAsync(account, Kind, reference, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Resource?> FindAsync(IStoreWriter reader, string account, string reference, CancellationToken cancellationToken)
    {
        if (reference.StartsWith(Prefix + "-", StringComparison.Ordinal))
        {
            var byId = await reader.GetAsync(reference, cancellationToken).ConfigureAwait(false);
            return byId is not null && byId.Kind == Kind && byId.Account == account ? byId : null;
        }

        if (System.Net.IPAddress.TryParse(reference, out _))
        {
            var value = await reader.GetValueAsync(ElasticIpPoolState.Namespace, ElasticIpPoolState.Key, cancellationToken).ConfigureAwait(false);
            var state = value is null ? new ElasticIpPoolState() : JsonSerializer.Deserialize<ElasticIpPoolState>(value, NimbusJson.Options)!;
            return state.Addresses.TryGetValue(reference, out var entry) && entry.Account == account
                ? await reader.GetAsync(entry.AllocationId, cancellationToken).ConfigureAwait(false)
                : null;
        }

        return await reader.GetByNameAsync(account, Kind, reference, cancellationToken).ConfigureAwait(false);
    }
}
