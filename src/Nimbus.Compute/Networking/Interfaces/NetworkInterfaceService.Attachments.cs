using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Instances;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;

namespace Nimbus.Compute.Networking.Interfaces;

/// <summary>Attachments: an instance's primary interface, secondary interfaces attached and detached, and what the node makes of them.</summary>
public sealed partial class NetworkInterfaceService
{
    /// <summary>
    /// Attaches a secondary interface to a running or stopped instance of its VPC and zone, as the next free device
    /// (<c>eth1</c>, ...). A running instance has it when the call returns; a stopped one gets it at its next start.
    /// </summary>
    public async Task<Resource> AttachAsync(string account, string idOrName, AttachNetworkInterfaceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.InstanceId))
        {
            throw NimbusException.Invalid("instanceId", "is required");
        }

        var attached = await store.WriteAsync(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                if (spec.Primary)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Network interface {eni.Id} is the primary interface of instance {spec.Attachment?.InstanceId}; it stays attached to it.");
                }

                if (spec.Attachment is { } current)
                {
                    return current.InstanceId == request.InstanceId
                        ? eni
                        : throw new NimbusException(ErrorCodes.Conflict, 409, $"Network interface {eni.Id} is attached to instance {current.InstanceId}; detach it first.");
                }

                var instance = await w.GetAsync(request.InstanceId, ct).ConfigureAwait(false);
                if (instance is null || instance.Kind != ComputeKinds.Instance || instance.Account != account)
                {
                    throw NimbusException.NotFound($"Instance '{request.InstanceId}'");
                }

                var instanceSpec = InstanceService.SpecOf(instance);
                if (instanceSpec.DesiredState == InstanceStates.Terminated)
                {
                    throw ComputeErrors.IncorrectInstanceState(instance.Id, instance.Status.Phase, "given an interface");
                }

                if (instanceSpec.NetworkInterface is not { SubnetId: { } instanceSubnet } nic)
                {
                    throw NimbusException.Invalid("instanceId", $"instance {instance.Id} is on the compute service's legacy network, not in a VPC; only instances in VPC subnets take more interfaces");
                }

                if (nic.NetworkId != spec.VpcId)
                {
                    throw NimbusException.Invalid("instanceId", $"instance {instance.Id} is in VPC {nic.NetworkId}, the interface in VPC {spec.VpcId}; an interface attaches to instances of its own VPC");
                }

                var zone = await w.GetAsync(instanceSubnet, ct).ConfigureAwait(false) is { } subnet ? SubnetService.SpecOf(subnet).Zone : spec.Zone;
                if (zone != spec.Zone)
                {
                    throw NimbusException.Invalid("instanceId", $"instance {instance.Id} is in zone {zone}, the interface in zone {spec.Zone}; an interface attaches to instances of its own zone");
                }

                await w.LockKeyAsync(InstanceInterfaces.Namespace, instance.Id, ct).ConfigureAwait(false);
                var devices = await ReadDevicesAsync(w, instance.Id, ct).ConfigureAwait(false);
                var index = Enumerable.Range(1, MaxInterfacesPerInstance - 1).FirstOrDefault(i => !devices.Devices.ContainsKey(Key(i)));
                if (index == 0)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409, $"Instance {instance.Id} has {MaxInterfacesPerInstance} interfaces, the most an instance may have; detach one first.");
                }

                devices.Devices[Key(index)] = eni.Id;
                await WriteDevicesAsync(w, instance.Id, devices, ct).ConfigureAwait(false);
                await SubnetIpam.RehomeAsync(w, spec.SubnetId, new AddressHolder(eni.Id, instance.Id, account) { DeviceIndex = index }, ct).ConfigureAwait(false);
                return await UpdateAsync(w, eni, spec with { Attachment = new NetworkInterfaceAttachment { InstanceId = instance.Id, DeviceIndex = index } }, InUse, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await FollowAsync(attached, removed: [], CancellationToken.None).ConfigureAwait(false);
        return attached;
    }

    /// <summary>Detaches a secondary interface: its addresses leave the instance's filter and its device goes before the call returns. The primary interface cannot be detached.</summary>
    public async Task<Resource> DetachAsync(string account, string idOrName, CancellationToken cancellationToken)
    {
        NetworkInterfaceAttachment? was = null;
        var detached = await store.WriteAsync(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                if (spec.Primary)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Network interface {eni.Id} is the primary interface of instance {spec.Attachment?.InstanceId}; it cannot be detached.");
                }

                was = spec.Attachment;
                return was is null ? eni : await DetachCoreAsync(w, account, eni, spec, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (was is not null)
        {
            // The rules first, so that the address is no longer let out when its device goes.
            await ApplyAsync().ConfigureAwait(false);
            var spec = SpecOf(detached);
            var prefix = (await network.EnsureReadyAsync(CancellationToken.None).ConfigureAwait(false)).Bridge;
            await node.RemoveAttachedInterfaceAsync(SetupOf(detached.Id, spec, was, "", prefix), CancellationToken.None).ConfigureAwait(false);
        }

        return detached;
    }

    /// <summary>
    /// Makes the primary interface of a new instance in a subnet, in the run's unit of work (after the addresses and the
    /// group memberships, as every resource write).
    /// </summary>
    public async Task CreatePrimaryAsync(IStoreWriter writer, Resource instance, InstanceInterfaceSpec nic, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(nic);
        if (nic.SubnetId is not { } subnetId)
        {
            return;
        }

        var subnet = await writer.GetAsync(subnetId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var spec = new NetworkInterfaceSpec
        {
            VpcId = nic.NetworkId,
            SubnetId = subnetId,
            Zone = subnet is null ? "" : SubnetService.SpecOf(subnet).Zone,
            PrivateIpAddress = nic.PrivateIpAddress,
            PrefixLength = nic.PrefixLength,
            Gateway = nic.Gateway,
            MacAddress = nic.MacAddress,
            SecurityGroupIds = groups,
            Description = $"Primary interface of {instance.Id}",
            Primary = true,
            SourceDestCheck = true,
            Attachment = new NetworkInterfaceAttachment { InstanceId = instance.Id, DeviceIndex = 0 },
        };
        await writer.CreateAsync(
            new Resource
            {
                Id = nic.InterfaceId,
                Kind = Kind,
                Account = instance.Account,
                Region = instance.Region,
                Name = nic.InterfaceId,
                Spec = Serialize(spec),
                Status = new ResourceStatus { Phase = InUse },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the primary interface's groups in line with its instance's (in the caller's unit of work).</summary>
    public async Task SetPrimaryGroupsAsync(IStoreWriter writer, string interfaceId, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (await writer.GetAsync(interfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } eni && SpecOf(eni) is { Primary: true } spec)
        {
            await UpdateAsync(writer, eni, spec with { SecurityGroupIds = groups }, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// At termination, in the unit that marks the instance terminated: its secondary interfaces are detached (they stay,
    /// available), its primary interface is deleted with its secondary addresses (the primary address is released by
    /// the caller with the instance's).
    /// </summary>
    public async Task ReleaseInstanceAsync(IStoreWriter writer, string account, string instanceId, InstanceInterfaceSpec? nic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(InstanceInterfaces.Namespace, instanceId, cancellationToken).ConfigureAwait(false);
        var devices = await ReadDevicesAsync(writer, instanceId, cancellationToken).ConfigureAwait(false);
        foreach (var interfaceId in devices.Devices.Values)
        {
            if (await writer.GetAsync(interfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } eni && SpecOf(eni) is { Attachment: not null } spec)
            {
                await DetachCoreAsync(writer, account, eni, spec, cancellationToken).ConfigureAwait(false);
            }
        }

        await writer.DeleteValueAsync(InstanceInterfaces.Namespace, instanceId, cancellationToken).ConfigureAwait(false);
        if (nic?.SubnetId is not null && await writer.GetAsync(nic.InterfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } primary)
        {
            var spec = SpecOf(primary);
            foreach (var address in spec.SecondaryPrivateIpAddresses)
            {
                await SubnetIpam.ReleaseAsync(writer, spec.SubnetId, address, primary.Id, cancellationToken).ConfigureAwait(false);
            }

            await writer.DeleteAsync(primary.Id, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The secondary addresses of an instance's primary interface (none for an instance run before interfaces were resources).</summary>
    public async Task<IReadOnlyList<string>> PrimarySecondaryAddressesAsync(string interfaceId, CancellationToken cancellationToken) =>
        await store.GetAsync(interfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } eni ? SpecOf(eni).SecondaryPrivateIpAddresses : [];

    /// <summary>
    /// Makes the instance's secondary interfaces in its namespace (at a start, or after a restart of Nimbus), as the store
    /// says; the caller applies the ruleset afterwards.
    /// </summary>
    public async Task EnsureAttachedAsync(string instanceId, string bridge, string namespacePrefix, CancellationToken cancellationToken)
    {
        var value = await store.GetValueAsync(InstanceInterfaces.Namespace, instanceId, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return;
        }

        var devices = JsonSerializer.Deserialize<InstanceInterfaces>(value, NimbusJson.Options)!;
        foreach (var interfaceId in devices.Devices.Values)
        {
            if (await store.GetAsync(interfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } eni && SpecOf(eni) is { Attachment: { } attachment } spec && attachment.InstanceId == instanceId)
            {
                await node.EnsureAttachedInterfaceAsync(SetupOf(eni.Id, spec, attachment, bridge, namespacePrefix), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Removes the devices of the instance's secondary interfaces (a stop or a terminate, before its namespace goes: the
    /// kernel frees a namespace's devices later, and a veth must not outlive the call).
    /// </summary>
    public async Task RemoveAttachedAsync(string instanceId, string namespacePrefix, CancellationToken cancellationToken)
    {
        var value = await store.GetValueAsync(InstanceInterfaces.Namespace, instanceId, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return;
        }

        foreach (var interfaceId in JsonSerializer.Deserialize<InstanceInterfaces>(value, NimbusJson.Options)!.Devices.Values)
        {
            if (await store.GetAsync(interfaceId, cancellationToken).ConfigureAwait(false) is { Kind: Kind } eni && SpecOf(eni) is { Attachment: { } attachment } spec)
            {
                await node.RemoveAttachedInterfaceAsync(SetupOf(eni.Id, spec, attachment, "", namespacePrefix), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<Resource> DetachCoreAsync(IStoreWriter writer, string account, Resource eni, NetworkInterfaceSpec spec, CancellationToken cancellationToken)
    {
        var attachment = spec.Attachment!;
        await writer.LockKeyAsync(InstanceInterfaces.Namespace, attachment.InstanceId, cancellationToken).ConfigureAwait(false);
        var devices = await ReadDevicesAsync(writer, attachment.InstanceId, cancellationToken).ConfigureAwait(false);
        if (devices.Devices.Remove(Key(attachment.DeviceIndex)))
        {
            await WriteDevicesAsync(writer, attachment.InstanceId, devices, cancellationToken).ConfigureAwait(false);
        }

        await SubnetIpam.RehomeAsync(writer, spec.SubnetId, new AddressHolder(eni.Id, null, account), cancellationToken).ConfigureAwait(false);
        return await UpdateAsync(writer, eni, spec with { Attachment = null }, Available, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a committed change of an attached interface: its device and addresses in the instance's namespace when the
    /// instance has one (a stopped instance gets them at its next start), then the ruleset; <paramref name="removed"/>
    /// addresses leave the device after the ruleset no longer lets them out.
    /// </summary>
    private async Task FollowAsync(Resource eni, IReadOnlyList<string> removed, CancellationToken cancellationToken)
    {
        var spec = SpecOf(eni);
        if (spec.Attachment is not { } attachment)
        {
            await ApplyAsync().ConfigureAwait(false);
            return;
        }

        var prefix = (await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false)).Bridge;
        var running = File.Exists(node.NamespacePathOf(prefix, attachment.InstanceId));
        if (running && removed.Count == 0)
        {
            try
            {
                var bridge = await network.EnsureVpcBridgeAsync(spec.VpcId, cancellationToken).ConfigureAwait(false);
                if (attachment.DeviceIndex == 0)
                {
                    await node.EnsureInterfaceAsync(
                        new InterfaceSetup
                        {
                            Bridge = bridge,
                            NamespacePrefix = prefix,
                            InstanceId = attachment.InstanceId,
                            PrivateIpAddress = spec.PrivateIpAddress,
                            PrefixLength = spec.PrefixLength,
                            Gateway = spec.Gateway,
                            MacAddress = spec.MacAddress,
                            SecondaryAddresses = spec.SecondaryPrivateIpAddresses,
                        },
                        cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await node.EnsureAttachedInterfaceAsync(SetupOf(eni.Id, spec, attachment, bridge, prefix), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (NodeException ex)
            {
                // The instance stopped meanwhile (its namespace went): its next start makes the interface.
                LogFollowFailed(eni.Id, attachment.InstanceId, ex.Message);
            }
        }

        await ApplyAsync().ConfigureAwait(false);
        if (running)
        {
            foreach (var address in removed)
            {
                await node.RemoveInterfaceAddressAsync(prefix, attachment.InstanceId, attachment.DeviceIndex, address + "/" + spec.PrefixLength.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static AttachedInterfaceSetup SetupOf(string interfaceId, NetworkInterfaceSpec spec, NetworkInterfaceAttachment attachment, string bridge, string namespacePrefix)
    {
        var mask = spec.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - spec.PrefixLength);
        var range = new Ipv4Range(Ipv4Range.ToUInt32(System.Net.IPAddress.Parse(spec.PrivateIpAddress)) & mask, spec.PrefixLength);
        return new AttachedInterfaceSetup
        {
            Bridge = bridge,
            NamespacePrefix = namespacePrefix,
            InstanceId = attachment.InstanceId,
            InterfaceId = interfaceId,
            DeviceIndex = attachment.DeviceIndex,
            PrivateIpAddress = spec.PrivateIpAddress,
            SecondaryAddresses = spec.SecondaryPrivateIpAddresses,
            PrefixLength = spec.PrefixLength,
            SubnetCidr = range.ToString(),
            Gateway = spec.Gateway,
            MacAddress = spec.MacAddress,
        };
    }

    private Task ApplyAsync() => network.Current is null ? Task.CompletedTask : network.ApplyRulesAsync(CancellationToken.None);

    private static string Key(int index) => index.ToString(CultureInfo.InvariantCulture);

    private static async Task<InstanceInterfaces> ReadDevicesAsync(IStoreWriter writer, string instanceId, CancellationToken cancellationToken)
    {
        var value = await writer.GetValueAsync(InstanceInterfaces.Namespace, instanceId, cancellationToken).ConfigureAwait(false);
        return value is null ? new InstanceInterfaces() : JsonSerializer.Deserialize<InstanceInterfaces>(value, NimbusJson.Options)!;
    }

    private static Task WriteDevicesAsync(IStoreWriter writer, string instanceId, InstanceInterfaces devices, CancellationToken cancellationToken) =>
        writer.PutValueAsync(InstanceInterfaces.Namespace, instanceId, JsonSerializer.SerializeToUtf8Bytes(devices, NimbusJson.Options), cancellationToken);

    [LoggerMessage(EventId = 5420, Level = LogLevel.Warning, Message = "Interface {InterfaceId} of instance {InstanceId} not made now ({Reason}); the instance's next start makes it")]
    private partial void LogFollowFailed(string interfaceId, string instanceId, string reason);
}
