using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Compute.Networking.ElasticIps;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network;
using Nimbus.Network.RouteTables;
using Nimbus.Network.Subnets;

namespace Nimbus.Compute.Networking.NatGateways;

/// <summary>
/// NAT gateways: one in a subnet of a VPC, holding an elastic IP of the account (associated to the gateway for its
/// life). Subnets of the VPC whose route table sends a destination to the gateway reach that destination outside the
/// VPC, translated to the elastic IP. A create or delete is in the kernel when the call returns.
/// </summary>
public sealed partial class NatGatewayService(IResourceStore store, DefaultNetwork network, ComputeOptions options, TimeProvider time)
{
    public const string AvailablePhase = "available";

    public async Task<Resource> CreateAsync(string account, CreateNatGatewayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.SubnetId))
        {
            errors.Add("subnetId", "is required");
        }

        if (string.IsNullOrEmpty(request.AllocationId))
        {
            errors.Add("allocationId", "is required: an allocated, unassociated elastic IP (nimbus network eip allocate)");
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.StartsWith(NetworkKinds.NatGatewayPrefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'ngw-' (ids do)");
            }
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        errors.ThrowIfAny();
        var created = await store.WriteAsync(
            async (w, ct) =>
            {
                var subnet = await w.GetAsync(request.SubnetId!, ct).ConfigureAwait(false);
                if (subnet is null || subnet.Kind != NetworkKinds.Subnet || subnet.Account != account)
                {
                    throw NimbusException.Invalid("subnetId", $"'{request.SubnetId}' is not a subnet of this account");
                }

                var id = ResourceIds.New(NetworkKinds.NatGatewayPrefix);
                var name = request.Name ?? id;
                if (await w.GetByNameAsync(account, NetworkKinds.NatGateway, name, ct).ConfigureAwait(false) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"NAT gateway named '{name}' ({existing.Id})");
                }

                var now = time.GetUtcNow();
                var (allocationId, publicIp) = await ElasticIpService.AttachNatGatewayAsync(w, account, request.AllocationId!, id, now, ct).ConfigureAwait(false);
                var spec = new NatGatewaySpec { SubnetId = subnet.Id, VpcId = SubnetService.SpecOf(subnet).VpcId, AllocationId = allocationId, PublicIp = publicIp };
                return await w.CreateAsync(
                    new Resource
                    {
                        Id = id,
                        Kind = NetworkKinds.NatGateway,
                        Account = account,
                        Region = options.Region,
                        Name = name,
                        Tags = request.Tags is null ? ImmutableSortedDictionary<string, string>.Empty : request.Tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                        Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
                        Status = new ResourceStatus { Phase = AvailablePhase },
                        CreatedAt = now,
                        UpdatedAt = now,
                    },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = NetworkKinds.NatGateway, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    /// <summary>A NAT gateway of the account by id or name.</summary>
    public async Task<Resource> GetAsync(string account, string reference, CancellationToken cancellationToken)
    {
        var found = reference.StartsWith(NetworkKinds.NatGatewayPrefix + "-", StringComparison.Ordinal)
            ? await store.GetAsync(reference, cancellationToken).ConfigureAwait(false)
            : await store.GetByNameAsync(account, NetworkKinds.NatGateway, reference, cancellationToken).ConfigureAwait(false);
        return found is not null && found.Kind == NetworkKinds.NatGateway && found.Account == account ? found : throw NimbusException.NotFound($"NAT gateway '{reference}'");
    }

    /// <summary>Deletes the gateway and makes its elastic IP available again; <c>DependencyViolation</c> while a route table routes to it.</summary>
    public async Task DeleteAsync(string account, string reference, CancellationToken cancellationToken)
    {
        var gateway = await GetAsync(account, reference, cancellationToken).ConfigureAwait(false);
        var spec = SpecOf(gateway);
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                // The VPC's routing lock: a route to the gateway cannot be added while it is being deleted.
                await w.LockKeyAsync(VpcRouting.Namespace, spec.VpcId, ct).ConfigureAwait(false);
                var current = await w.GetAsync(gateway.Id, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"NAT gateway '{reference}'");
                var stored = await w.GetValueAsync(VpcRouting.Namespace, spec.VpcId, ct).ConfigureAwait(false);
                var routing = stored is null ? null : JsonSerializer.Deserialize<VpcRouting>(stored, NimbusJson.Options);
                var users = new List<string>();
                foreach (var tableId in routing?.TableIds ?? [])
                {
                    if (await w.GetAsync(tableId, ct).ConfigureAwait(false) is { } table)
                    {
                        users.AddRange(RouteTableService.SpecOf(table).Routes.Where(r => r.Target == gateway.Id).Select(r => $"route table {table.Id} ({r.DestinationCidr})"));
                    }
                }

                if (users.Count > 0)
                {
                    throw NetworkErrors.DependencyViolation($"NAT gateway {gateway.Id}", users);
                }

                await ElasticIpService.DetachNatGatewayAsync(w, spec.AllocationId, time.GetUtcNow(), ct).ConfigureAwait(false);
                await w.DeleteAsync(current.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
    }

    public static NatGatewaySpec SpecOf(Resource gateway) => gateway.Spec.Deserialize<NatGatewaySpec>(NimbusJson.Options)!;

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await network.ApplyRulesAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
