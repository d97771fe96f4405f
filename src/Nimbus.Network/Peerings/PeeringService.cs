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

namespace Nimbus.Network.Peerings;

/// <summary>
/// VPC peering connections: requested by the owner of one VPC, accepted or rejected by the owner of the other (the
/// same account or another), deleted by either. The resource belongs to the requester's account; the accepter's
/// account finds it through the key/value index <c>network.peerings</c> (account → the peerings it is a side of).
/// Every write holds the lock of the installation-wide key <c>network.peerings/all</c>, so the duplicate check and the
/// index never race.
/// </summary>
public sealed class PeeringService(IResourceStore store, VpcService vpcs, NetworkChanges changes, NetworkOptions options, TimeProvider time)
{
    public const string PendingPhase = "pending-acceptance";
    public const string ActivePhase = "active";
    public const string RejectedPhase = "rejected";
    private const string IndexNamespace = "network.peerings";
    private const string LockKey = "all";

    public async Task<Resource> CreateAsync(string account, CreatePeeringRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.VpcId))
        {
            errors.Add("vpcId", "is required");
        }

        if (string.IsNullOrEmpty(request.PeerVpcId))
        {
            errors.Add("peerVpcId", "is required");
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
        }

        errors.ThrowIfAny();
        var peerAccount = request.PeerAccountId ?? account;
        return await store.WriteAsync(
            async (w, ct) =>
            {
                await w.LockKeyAsync(IndexNamespace, LockKey, ct).ConfigureAwait(false);
                var requester = await vpcs.ResolveAsync(w, account, request.VpcId!, ct).ConfigureAwait(false);
                var accepter = await w.GetAsync(request.PeerVpcId!, ct).ConfigureAwait(false);
                if (accepter is null || accepter.Kind != NetworkKinds.Vpc || accepter.Account != peerAccount)
                {
                    throw NimbusException.Invalid("peerVpcId", $"'{request.PeerVpcId}' is not a VPC of account {peerAccount}");
                }

                if (accepter.Id == requester.Id)
                {
                    throw NimbusException.Invalid("peerVpcId", "a VPC cannot be peered with itself");
                }

                var (requesterCidr, accepterCidr) = (VpcService.SpecOf(requester).Cidr, VpcService.SpecOf(accepter).Cidr);
                if (Ipv4Range.Parse(requesterCidr).Overlaps(Ipv4Range.Parse(accepterCidr)))
                {
                    throw NetworkErrors.CidrConflict($"VPC {requester.Id} ({requesterCidr}) and VPC {accepter.Id} ({accepterCidr}) overlap; peered VPCs must not.");
                }

                foreach (var id in await IndexAsync(w, account, ct).ConfigureAwait(false))
                {
                    if (await w.GetAsync(id, ct).ConfigureAwait(false) is { } existing && existing.Status.Phase is PendingPhase or ActivePhase
                        && SpecOf(existing) is var spec && new[] { spec.RequesterVpcId, spec.AccepterVpcId }.Order(StringComparer.Ordinal).SequenceEqual(new[] { requester.Id, accepter.Id }.Order(StringComparer.Ordinal)))
                    {
                        throw NimbusException.AlreadyExists($"A peering of VPC {requester.Id} and VPC {accepter.Id} ({existing.Id}, {existing.Status.Phase})");
                    }
                }

                var now = time.GetUtcNow();
                var created = await w.CreateAsync(
                    new Resource
                    {
                        Id = ResourceIds.New(NetworkKinds.PeeringPrefix) is var newId ? newId : throw new InvalidOperationException(),
                        Kind = NetworkKinds.Peering,
                        Account = account,
                        Region = options.Region,
                        Name = request.Name ?? newId,
                        Tags = ImmutableSortedDictionary<string, string>.Empty,
                        Spec = JsonSerializer.SerializeToElement(
                            new PeeringSpec
                            {
                                RequesterVpcId = requester.Id, RequesterAccountId = account, RequesterCidr = requesterCidr,
                                AccepterVpcId = accepter.Id, AccepterAccountId = peerAccount, AccepterCidr = accepterCidr,
                            },
                            NimbusJson.Options),
                        Status = new ResourceStatus { Phase = PendingPhase, Message = $"waiting for account {peerAccount} to accept" },
                        CreatedAt = now,
                        UpdatedAt = now,
                    },
                    ct).ConfigureAwait(false);
                await AddToIndexAsync(w, account, created.Id, ct).ConfigureAwait(false);
                if (peerAccount != account)
                {
                    await AddToIndexAsync(w, peerAccount, created.Id, ct).ConfigureAwait(false);
                }

                return created;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The peerings the account is a side of (requested by it or of it).</summary>
    public async Task<IReadOnlyList<Resource>> ListAsync(string account, CancellationToken cancellationToken)
    {
        var value = await store.GetValueAsync(IndexNamespace, account, cancellationToken).ConfigureAwait(false);
        var ids = value is null ? [] : JsonSerializer.Deserialize<List<string>>(value, NimbusJson.Options) ?? [];
        var result = new List<Resource>(ids.Count);
        foreach (var id in ids)
        {
            if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } peering)
            {
                result.Add(peering);
            }
        }

        return result;
    }

    /// <summary>A peering the account is a side of.</summary>
    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken)
    {
        var peering = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return peering is not null && peering.Kind == NetworkKinds.Peering && IsSide(peering, account) ? peering : throw NimbusException.NotFound($"VPC peering connection '{id}'");
    }

    /// <summary>The accepter's answer to a pending request: active or rejected.</summary>
    public async Task<Resource> AnswerAsync(string account, string id, bool accept, CancellationToken cancellationToken)
    {
        var answered = await AnswerCoreAsync(account, id, accept, cancellationToken).ConfigureAwait(false);
        await changes.NotifyAsync(CancellationToken.None).ConfigureAwait(false);
        return answered;
    }

    /// <summary>Deletes a peering (either side may); routes that name it stop forwarding.</summary>
    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        await DeleteCoreAsync(account, id, cancellationToken).ConfigureAwait(false);
        await changes.NotifyAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private Task<Resource> AnswerCoreAsync(string account, string id, bool accept, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (w, ct) =>
            {
                await w.LockKeyAsync(IndexNamespace, LockKey, ct).ConfigureAwait(false);
                var peering = await w.GetAsync(id, ct).ConfigureAwait(false);
                if (peering is null || peering.Kind != NetworkKinds.Peering || !IsSide(peering, account))
                {
                    throw NimbusException.NotFound($"VPC peering connection '{id}'");
                }

                var spec = SpecOf(peering);
                if (spec.AccepterAccountId != account)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Only the accepter's account ({spec.AccepterAccountId}) can accept or reject VPC peering connection {peering.Id}.");
                }

                if (peering.Status.Phase != PendingPhase)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"VPC peering connection {peering.Id} is {peering.Status.Phase}, not {PendingPhase}.");
                }

                return await w.UpdateStatusAsync(
                    peering.Id, peering.Version,
                    peering.Status with { Phase = accept ? ActivePhase : RejectedPhase, Message = accept ? null : $"rejected by account {account}", ObservedVersion = peering.Version },
                    ct).ConfigureAwait(false);
            },
            cancellationToken);

    private Task DeleteCoreAsync(string account, string id, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.LockKeyAsync(IndexNamespace, LockKey, ct).ConfigureAwait(false);
                var peering = await w.GetAsync(id, ct).ConfigureAwait(false);
                if (peering is null || peering.Kind != NetworkKinds.Peering || !IsSide(peering, account))
                {
                    throw NimbusException.NotFound($"VPC peering connection '{id}'");
                }

                var spec = SpecOf(peering);
                foreach (var side in new[] { spec.RequesterAccountId, spec.AccepterAccountId }.Distinct(StringComparer.Ordinal))
                {
                    var ids = await IndexAsync(w, side, ct).ConfigureAwait(false);
                    await KeyValues.WriteAsync(w, IndexNamespace, side, ids.Where(i => i != peering.Id).ToList(), ct).ConfigureAwait(false);
                }

                await w.DeleteAsync(peering.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public static PeeringSpec SpecOf(Resource peering) => peering.Spec.Deserialize<PeeringSpec>(NimbusJson.Options)!;

    private static bool IsSide(Resource peering, string account) =>
        peering.Account == account || SpecOf(peering).AccepterAccountId == account;

    private static async Task<List<string>> IndexAsync(IStoreWriter writer, string account, CancellationToken cancellationToken) =>
        await KeyValues.ReadAsync<List<string>>(writer, IndexNamespace, account, cancellationToken).ConfigureAwait(false) ?? [];

    private static async Task AddToIndexAsync(IStoreWriter writer, string account, string id, CancellationToken cancellationToken)
    {
        var ids = await IndexAsync(writer, account, cancellationToken).ConfigureAwait(false);
        ids.Add(id);
        await KeyValues.WriteAsync(writer, IndexNamespace, account, ids, cancellationToken).ConfigureAwait(false);
    }
}
