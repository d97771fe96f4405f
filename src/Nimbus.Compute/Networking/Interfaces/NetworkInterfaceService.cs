using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;

namespace Nimbus.Compute.Networking.Interfaces;

/// <summary>
/// Network interfaces (<c>network/interface</c>, <c>eni-...</c>): every instance's primary interface (made and deleted
/// with it) and secondary interfaces made in a subnet, attached to and detached from instances of the same VPC and
/// zone, with secondary private addresses. Addresses come from the subnet's IPAM in the unit of work that changes the
/// interface; a running instance's data path follows when the call returns.
/// </summary>
public sealed partial class NetworkInterfaceService(
    IResourceStore store, SecurityGroupService securityGroups, DefaultNetwork network, INetworkNode node, ComputeOptions options, TimeProvider time, ILogger<NetworkInterfaceService> logger)
{
    public const string Kind = "network/interface";
    public const string Prefix = "eni";
    public const string Available = "available";
    public const string InUse = "in-use";

    /// <summary>Secondary private addresses of one interface.</summary>
    public const int MaxSecondaryAddresses = 10;

    /// <summary>Interfaces of one instance, the primary included (<c>eth0</c> to <c>eth7</c>).</summary>
    public const int MaxInterfacesPerInstance = 8;

    public async Task<Resource> CreateAsync(string account, CreateNetworkInterfaceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.SubnetId))
        {
            errors.Add("subnetId", "is required");
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.StartsWith(Prefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'eni-' (ids do)");
            }
        }

        if (request.Description is { Length: > 255 })
        {
            errors.Add("description", "must be at most 255 characters");
        }

        SecurityGroupService.ValidateList(errors, "securityGroupIds", request.SecurityGroupIds, required: false);
        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var id = ResourceIds.New(Prefix);
                var name = request.Name ?? id;
                if (await w.GetByNameAsync(account, Kind, name, ct).ConfigureAwait(false) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"Network interface named '{name}' ({existing.Id})");
                }

                // As in a run: the subnet's IPAM record, then the group memberships, then the resource.
                var placed = await SubnetService.AllocateInterfaceAsync(w, account, request.SubnetId!, new AddressHolder(id, null, account), request.PrivateIpAddress, ct).ConfigureAwait(false);
                var groups = await securityGroups.JoinAsync(w, account, placed.VpcId, [id], request.SecurityGroupIds, ct).ConfigureAwait(false);
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
                        Spec = Serialize(SpecFor(placed, groups, request.Description, primary: false, attachment: null)),
                        Status = new ResourceStatus { Phase = Available },
                        CreatedAt = now,
                        UpdatedAt = now,
                    },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    /// <summary>An interface of the account by id or name.</summary>
    public async Task<Resource> GetAsync(string account, string idOrName, CancellationToken cancellationToken) =>
        await FindAsync(store, account, idOrName, cancellationToken).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");

    /// <summary>
    /// Deletes a secondary interface that is not attached (<c>DependencyViolation</c> naming the instance otherwise) and
    /// gives its addresses back; a primary interface goes with its instance (<c>OperationNotPermitted</c>).
    /// </summary>
    public Task DeleteAsync(string account, string idOrName, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                if (spec.Primary)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Network interface {eni.Id} is the primary interface of instance {spec.Attachment?.InstanceId}; it is deleted when the instance is terminated.");
                }

                if (spec.Attachment is { } attachment)
                {
                    throw new NimbusException(ErrorCodes.DependencyViolation, 409, $"Network interface {eni.Id} is attached to instance {attachment.InstanceId} (eth{attachment.DeviceIndex}); detach it first.");
                }

                foreach (var address in AddressesOf(spec))
                {
                    await SubnetIpam.ReleaseAsync(w, spec.SubnetId, address, eni.Id, ct).ConfigureAwait(false);
                }

                await SecurityGroupService.LeaveAsync(w, account, eni.Id, ct).ConfigureAwait(false);
                if (spec.SourceDestCheck == false)
                {
                    await Appliances.SourceDestChecks.SetAsync(w, eni.Id, check: true, ct).ConfigureAwait(false);
                }

                await w.DeleteAsync(eni.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Gives the interface more addresses of its subnet (the given ones, or the next free ones); an attached interface has them in its instance when the call returns.</summary>
    public async Task<Resource> AssignAsync(string account, string idOrName, AssignPrivateIpAddressesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if ((request.PrivateIpAddresses is null) == (request.SecondaryPrivateIpAddressCount is null))
        {
            errors.Add("privateIpAddresses", "give either privateIpAddresses or secondaryPrivateIpAddressCount");
        }
        else if (request.PrivateIpAddresses is { } listed && (listed.Count is 0 or > MaxSecondaryAddresses || listed.Distinct(StringComparer.Ordinal).Count() != listed.Count))
        {
            errors.Add("privateIpAddresses", $"must name 1 to {MaxSecondaryAddresses} different addresses");
        }
        else if (request.SecondaryPrivateIpAddressCount is { } count && count is < 1 or > MaxSecondaryAddresses)
        {
            errors.Add("secondaryPrivateIpAddressCount", $"must be 1 to {MaxSecondaryAddresses}");
        }

        errors.ThrowIfAny();
        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                var wanted = request.PrivateIpAddresses ?? Enumerable.Repeat<string?>(null, request.SecondaryPrivateIpAddressCount!.Value).ToList()!;
                if (spec.SecondaryPrivateIpAddresses.Count + wanted.Count > MaxSecondaryAddresses)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409,
                        $"Network interface {eni.Id} has {spec.SecondaryPrivateIpAddresses.Count} secondary addresses; with {wanted.Count} more it would pass the limit of {MaxSecondaryAddresses}.");
                }

                var holder = new AddressHolder(eni.Id, spec.Attachment?.InstanceId, account) { DeviceIndex = spec.Attachment?.DeviceIndex ?? 0 };
                var added = new List<string>(wanted.Count);
                foreach (var requested in wanted)
                {
                    added.Add(await SubnetIpam.AllocateAsync(w, spec.SubnetId, holder, requested, ct).ConfigureAwait(false));
                }

                return await UpdateAsync(w, eni, spec with { SecondaryPrivateIpAddresses = [.. spec.SecondaryPrivateIpAddresses, .. added] }, null, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await FollowAsync(changed, removed: [], CancellationToken.None).ConfigureAwait(false);
        return changed;
    }

    /// <summary>Gives secondary addresses of the interface back to its subnet; they leave its instance before the call returns.</summary>
    public async Task<Resource> UnassignAsync(string account, string idOrName, UnassignPrivateIpAddressesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PrivateIpAddresses is not { Count: > 0 } addresses)
        {
            throw NimbusException.Invalid("privateIpAddresses", "is required: the secondary addresses to give back");
        }

        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                var errors = new FieldErrors();
                foreach (var address in addresses.Where(a => !spec.SecondaryPrivateIpAddresses.Contains(a)))
                {
                    errors.Add("privateIpAddresses", address == spec.PrivateIpAddress
                        ? $"{address} is the interface's own address; it stays while the interface exists"
                        : $"{address} is not a secondary address of {eni.Id}");
                }

                errors.ThrowIfAny();
                foreach (var address in addresses)
                {
                    await SubnetIpam.ReleaseAsync(w, spec.SubnetId, address, eni.Id, ct).ConfigureAwait(false);
                }

                return await UpdateAsync(w, eni, spec with { SecondaryPrivateIpAddresses = [.. spec.SecondaryPrivateIpAddresses.Where(a => !addresses.Contains(a))] }, null, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await FollowAsync(changed, removed: addresses, CancellationToken.None).ConfigureAwait(false);
        return changed;
    }

    public static NetworkInterfaceSpec SpecOf(Resource eni) => eni.Spec.Deserialize<NetworkInterfaceSpec>(NimbusJson.Options)!;

    private static NetworkInterfaceSpec SpecFor(InterfacePlacement placed, IReadOnlyList<string> groups, string? description, bool primary, NetworkInterfaceAttachment? attachment) => new()
    {
        VpcId = placed.VpcId,
        SubnetId = placed.SubnetId,
        Zone = placed.Zone,
        PrivateIpAddress = placed.PrivateIpAddress,
        PrefixLength = placed.PrefixLength,
        Gateway = placed.Gateway,
        MacAddress = placed.MacAddress,
        SecurityGroupIds = groups,
        Description = description,
        Primary = primary,
        SourceDestCheck = true,
        Attachment = attachment,
    };

    private static IEnumerable<string> AddressesOf(NetworkInterfaceSpec spec) => spec.SecondaryPrivateIpAddresses.Prepend(spec.PrivateIpAddress);

    private static JsonElement Serialize(NetworkInterfaceSpec spec) => JsonSerializer.SerializeToElement(spec, NimbusJson.Options);

    /// <summary>Writes a new spec (and phase, when given) in the caller's unit of work.</summary>
    private async Task<Resource> UpdateAsync(IStoreWriter writer, Resource eni, NetworkInterfaceSpec spec, string? phase, CancellationToken cancellationToken)
    {
        var updated = await writer.UpdateAsync(eni with { Spec = Serialize(spec), UpdatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        return phase is null || phase == updated.Status.Phase
            ? updated
            : await writer.UpdateStatusAsync(updated.Id, updated.Version, updated.Status with { Phase = phase }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Resource?> FindAsync(IResourceStore reader, string account, string idOrName, CancellationToken cancellationToken)
    {
        var found = idOrName.StartsWith(Prefix + "-", StringComparison.Ordinal)
            ? await reader.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await reader.GetByNameAsync(account, Kind, idOrName, cancellationToken).ConfigureAwait(false);
        return found is { Kind: Kind } && found.Account == account ? found : null;
    }

    private static async Task<Resource?> FindAsync(IStoreWriter reader, string account, string idOrName, CancellationToken cancellationToken)
    {
        var found = idOrName.StartsWith(Prefix + "-", StringComparison.Ordinal)
            ? await reader.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await reader.GetByNameAsync(account, Kind, idOrName, cancellationToken).ConfigureAwait(false);
        return found is { Kind: Kind } && found.Account == account ? found : null;
    }
}
