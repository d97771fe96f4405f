using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Nimbus.Compute.Images;
using Nimbus.Compute.InstanceTypes;
using Nimbus.Compute.Networking;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Compute.Node;
using Nimbus.Compute.Scheduling;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Sts;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;

namespace Nimbus.Compute.Instances;

/// <summary>
/// Validation and desired-state writes of instances. Each call checks the instance's state, writes the new desired
/// state (with quotas and node capacity in the same unit of work) and returns; the controller does the rest.
/// </summary>
public sealed class InstanceService(
    IResourceStore store, QuotaService quotas, InstanceScheduler scheduler, InstanceTypeCatalog types, ImageService images,
    IComputeNode node, SubnetService subnets, SecurityGroupService securityGroups, Networking.Interfaces.NetworkInterfaceService networkInterfaces, IAuthorizer authorizer, StsService sts, ComputeOptions options, TimeProvider time)
{
    public const int MaxConsoleChunk = 256 * 1024;

    public async Task<IReadOnlyList<Resource>> RunAsync(CallerContext caller, string platformAccount, RunInstancesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var account = caller.Account;
        var errors = new FieldErrors();
        InstanceValidation.Validate(errors, request);
        SecurityGroupService.ValidateList(errors, "securityGroupIds", request.SecurityGroupIds, required: false);
        var type = request.InstanceType is { Length: > 0 } typeName ? types.Find(typeName) : null;
        if (request.InstanceType is { Length: > 0 } && type is null)
        {
            errors.Add("instanceType", $"'{request.InstanceType}' is not an instance type; see GET /v1/compute/instance-types ({string.Join(", ", types.Types.Select(t => t.Name))})");
        }

        Resource? image = null;
        if (request.Image is { Length: > 0 })
        {
            image = await images.FindAsync(account, platformAccount, request.Image, cancellationToken).ConfigureAwait(false);
            if (image is null)
            {
                errors.Add("image", $"'{request.Image}' is not an image of this account or a public one");
            }
            else if (image.Status.Phase == ResourcePhases.Failed)
            {
                errors.Add("image", $"image '{request.Image}' failed to build: {image.Status.Message}");
            }
        }

        if (request.SubnetId is { Length: 0 })
        {
            errors.Add("subnetId", "must be a subnet id (subnet-...) when given");
        }

        if (request.PrivateIpAddress is not null && (request.Count ?? 1) != 1)
        {
            errors.Add("privateIpAddress", "can only be given for a single instance (count 1)");
        }

        errors.ThrowIfAny();

        // The default VPC and its subnets are made first, in a unit of their own (lazily, once per account), so that
        // the run's unit takes no resource lock before its addresses.
        var subnetId = request.SubnetId ?? await subnets.DefaultSubnetIdAsync(account, cancellationToken).ConfigureAwait(false);
        var role = request.IamRole is { } roleReference ? await PassRoleAsync(caller, roleReference, cancellationToken).ConfigureAwait(false) : null;
        var count = request.Count ?? 1;
        var now = time.GetUtcNow();
        var instances = new List<Resource>(count);
        for (var i = 1; i <= count; i++)
        {
            var id = ResourceIds.New(ComputeKinds.InstancePrefix);
            var name = request.Name is null ? id : count == 1 ? request.Name : $"{request.Name}-{i}";
            var spec = new InstanceSpec
            {
                ImageId = image!.Id,
                InstanceType = type!.Name,
                VCpus = type.VCpus,
                MemoryMiB = type.MemoryMiB,
                PidsLimit = type.PidsLimit,
                Hostname = request.Hostname ?? (InstanceValidation.IsHostname(name) ? name : id),
                UserData = request.UserData,
                Environment = request.Environment ?? new Dictionary<string, string>(),
                Command = request.Command,
                DeletionProtection = request.DeletionProtection ?? false,
                RestartPolicy = request.RestartPolicy ?? InstanceStates.RestartOnFailure,
                DesiredState = InstanceStates.Running,
                Node = node.Info.Name,
                IamRoleId = role?.Id,
                IamRoleName = role?.Name,
                MetadataTokens = request.MetadataTokens ?? "optional",
            };
            instances.Add(new Resource
            {
                Id = id,
                Kind = ComputeKinds.Instance,
                Account = account,
                Region = options.Region,
                Name = name,
                Tags = request.Tags is null ? ImmutableSortedDictionary<string, string>.Empty : request.Tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        return await store.WriteAsync<IReadOnlyList<Resource>>(
            async (w, ct) =>
            {
                // Locks in a fixed order (quota keys, then the node's allocation, then resources) keep concurrent units from deadlocking.
                await quotas.ConsumeAsync(w, account, ComputeQuotas.Instances.Code, count, ct).ConfigureAwait(false);
                await quotas.ConsumeAsync(w, account, ComputeQuotas.VCpus.Code, (long)type!.VCpus * count, ct).ConfigureAwait(false);
                await quotas.ConsumeAsync(w, account, ComputeQuotas.MemoryMiB.Code, (long)type.MemoryMiB * count, ct).ConfigureAwait(false);
                await scheduler.PlaceAsync(w, type.VCpus, type.MemoryMiB, count, ct).ConfigureAwait(false);
                await images.GuardUseAsync(w, image!.Id, ct).ConfigureAwait(false);

                // Private addresses are taken in the same unit (all instances get one, or none is created), before any
                // resource write takes the change feed's lock.
                var interfaces = new List<InstanceInterfaceSpec>(count);
                foreach (var instance in instances)
                {
                    var interfaceId = ResourceIds.New(DefaultNetwork.InterfacePrefix);
                    var placed = await SubnetService.AllocateInterfaceAsync(w, account, subnetId, new AddressHolder(interfaceId, instance.Id, account), request.PrivateIpAddress, ct).ConfigureAwait(false);
                    interfaces.Add(new InstanceInterfaceSpec
                    {
                        InterfaceId = interfaceId,
                        NetworkId = placed.VpcId,
                        SubnetId = placed.SubnetId,
                        PrivateIpAddress = placed.PrivateIpAddress,
                        PrefixLength = placed.PrefixLength,
                        Gateway = placed.Gateway,
                        MacAddress = placed.MacAddress,
                    });
                }

                // Then the account's security group memberships (the group lock), still before any resource write.
                var groups = await securityGroups.JoinAsync(w, account, interfaces[0].NetworkId, [.. instances.Select(i => i.Id)], request.SecurityGroupIds, ct).ConfigureAwait(false);

                var created = new List<Resource>(count);
                foreach (var (instance, networkInterface) in instances.Zip(interfaces))
                {
                    if (await w.GetByNameAsync(account, ComputeKinds.Instance, instance.Name, ct).ConfigureAwait(false) is { } existing)
                    {
                        // A terminated instance only lingers for the listing; its name is free again.
                        if (existing.Status.Phase == InstanceStates.Terminated)
                        {
                            await w.DeleteAsync(existing.Id, null, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            throw NimbusException.AlreadyExists($"Instance named '{instance.Name}' ({existing.Id})");
                        }
                    }

                    var spec = SpecOf(instance) with { NetworkInterface = networkInterface, SecurityGroupIds = groups };
                    created.Add(await w.CreateAsync(instance with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options) }, ct).ConfigureAwait(false));
                    await networkInterfaces.CreatePrimaryAsync(w, instance, networkInterface, groups, ct).ConfigureAwait(false);
                }

                return created;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken) =>
        Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = ComputeKinds.Instance, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    /// <summary>Stops a pending, running or failed instance (a stopped one stays stopped; <paramref name="force"/> hurries a stop in progress).</summary>
    public Task<Resource> StopAsync(string account, string id, bool force, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, (current, spec) =>
        {
            var phase = PhaseOf(current);
            if (spec.DesiredState == InstanceStates.Terminated)
            {
                throw ComputeErrors.IncorrectInstanceState(id, phase, "stopped");
            }

            if (spec.DesiredState == InstanceStates.Stopped && (!force || spec.ForceStop))
            {
                return null;
            }

            return spec with { DesiredState = InstanceStates.Stopped, ForceStop = force };
        }, cancellationToken);

    /// <summary>Starts a stopped or failed instance; starting a running one changes nothing.</summary>
    public Task<Resource> StartAsync(string account, string id, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, (current, spec) =>
        {
            var phase = PhaseOf(current);
            if (spec.DesiredState == InstanceStates.Running && phase is InstanceStates.Pending or InstanceStates.Running)
            {
                return null;
            }

            if (phase is not (InstanceStates.Stopped or InstanceStates.Failed) || spec.DesiredState == InstanceStates.Terminated)
            {
                throw ComputeErrors.IncorrectInstanceState(id, phase, "started");
            }

            // Written even when the desired state already says running (a workload that ended by itself): the new
            // version is what tells the controller to start it again.
            return spec with { DesiredState = InstanceStates.Running, ForceStop = false };
        }, cancellationToken);

    /// <summary>Reboots a running instance: its processes get SIGTERM, then it starts again on the same disk.</summary>
    public Task<Resource> RebootAsync(string account, string id, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, (current, spec) =>
        {
            var phase = PhaseOf(current);
            if (spec.DesiredState != InstanceStates.Running || phase != InstanceStates.Running)
            {
                throw ComputeErrors.IncorrectInstanceState(id, phase, "rebooted");
            }

            return spec with { RebootCount = spec.RebootCount + 1 };
        }, cancellationToken);

    /// <summary>Terminates an instance: it stops, and everything it had on the node is removed. Refused under deletion protection.</summary>
    public Task<Resource> TerminateAsync(string account, string id, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, (_, spec) =>
        {
            if (spec.DesiredState == InstanceStates.Terminated)
            {
                return null;
            }

            return spec.DeletionProtection ? throw ComputeErrors.DeletionProtected(id) : spec with { DesiredState = InstanceStates.Terminated };
        }, cancellationToken);

    /// <summary>Changes the instance type (only while stopped) and deletion protection.</summary>
    public async Task<Resource> ModifyAsync(string account, string id, ModifyInstanceRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        InstanceTypeDto? type = null;
        if (request.InstanceType is not null)
        {
            type = types.Find(request.InstanceType);
            if (type is null)
            {
                errors.Add("instanceType", $"'{request.InstanceType}' is not an instance type; see GET /v1/compute/instance-types");
            }
        }

        if (request.InstanceType is null && request.DeletionProtection is null)
        {
            errors.Add("instanceType", "nothing to modify: give instanceType or deletionProtection");
        }

        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var current = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var spec = SpecOf(current);
                var phase = PhaseOf(current);
                if (spec.DesiredState == InstanceStates.Terminated)
                {
                    throw ComputeErrors.IncorrectInstanceState(id, phase, "modified");
                }

                var next = spec with { DeletionProtection = request.DeletionProtection ?? spec.DeletionProtection };
                if (type is not null && type.Name != spec.InstanceType)
                {
                    if (spec.DesiredState != InstanceStates.Stopped || phase != InstanceStates.Stopped)
                    {
                        throw ComputeErrors.IncorrectInstanceState(id, phase, "given another instance type (stop it first)");
                    }

                    await ResizeQuotaAsync(w, account, ComputeQuotas.VCpus.Code, spec.VCpus, type.VCpus, ct).ConfigureAwait(false);
                    await ResizeQuotaAsync(w, account, ComputeQuotas.MemoryMiB.Code, spec.MemoryMiB, type.MemoryMiB, ct).ConfigureAwait(false);
                    await scheduler.ResizeAsync(w, spec.Node, (spec.VCpus, spec.MemoryMiB), (type.VCpus, type.MemoryMiB), ct).ConfigureAwait(false);
                    next = next with { InstanceType = type.Name, VCpus = type.VCpus, MemoryMiB = type.MemoryMiB, PidsLimit = type.PidsLimit };
                }

                if (next == spec)
                {
                    return current;
                }

                return await w.UpdateAsync(current with { Spec = JsonSerializer.SerializeToElement(next, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A piece of the instance's console output from <paramref name="offset"/> (negative: that many bytes before the end).</summary>
    public async Task<ConsoleOutputDto> ReadConsoleAsync(string account, string id, long offset, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxConsoleChunk)
        {
            throw NimbusException.Invalid("limit", $"must be from 1 to {MaxConsoleChunk}");
        }

        var instance = await GetAsync(account, id, cancellationToken).ConfigureAwait(false);
        var chunk = await node.ReadConsoleAsync(instance.Id, offset, limit, cancellationToken).ConfigureAwait(false);
        return new ConsoleOutputDto
        {
            InstanceId = instance.Id,
            Offset = chunk.Offset,
            NextOffset = chunk.NextOffset,
            Size = chunk.Size,
            Output = Encoding.UTF8.GetString(chunk.Data),
        };
    }

    /// <summary>Counters of a running instance (<c>IncorrectInstanceState</c> when it does not run).</summary>
    public async Task<InstanceStatsDto> StatsAsync(string account, string id, CancellationToken cancellationToken)
    {
        var instance = await GetAsync(account, id, cancellationToken).ConfigureAwait(false);
        return await node.StatsAsync(instance.Id, cancellationToken).ConfigureAwait(false)
            ?? throw ComputeErrors.IncorrectInstanceState(id, PhaseOf(instance), "measured (it does not run)");
    }

    public static InstanceSpec SpecOf(Resource instance) => instance.Spec.Deserialize<InstanceSpec>(NimbusJson.Options)!;

    /// <summary>The phase the API shows: the controller's, or <c>pending</c> before it looked.</summary>
    public static string PhaseOf(Resource instance) => instance.Status.Phase;

    private async Task ResizeQuotaAsync(IStoreWriter writer, string account, string code, long from, long to, CancellationToken cancellationToken)
    {
        if (to > from)
        {
            await quotas.ConsumeAsync(writer, account, code, to - from, cancellationToken).ConfigureAwait(false);
        }
        else if (to < from)
        {
            await quotas.ReleaseAsync(writer, account, code, from - to, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<Resource> ChangeAsync(string account, string id, Func<Resource, InstanceSpec, InstanceSpec?> change, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (w, ct) =>
            {
                var current = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var next = change(current, SpecOf(current));
                if (next is null)
                {
                    return current;
                }

                return await w.UpdateAsync(current with { Spec = JsonSerializer.SerializeToElement(next, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>
    /// The role an instance profile hands out: in the caller's account, the caller allowed <c>iam:PassRole</c> on it, and
    /// its trust policy allowing the compute service (<c>compute.nimbus</c>) to assume it.
    /// </summary>
    private async Task<Resource> PassRoleAsync(CallerContext caller, string reference, CancellationToken cancellationToken)
    {
        Resource? role;
        if (reference.StartsWith(Nrn.Prefix, StringComparison.Ordinal))
        {
            var slash = reference.LastIndexOf('/');
            role = slash < 0 ? null : await store.GetAsync(reference[(slash + 1)..], cancellationToken).ConfigureAwait(false);
            if (role is not null && role.Nrn != reference)
            {
                role = null;
            }
        }
        else
        {
            role = await store.GetByNameAsync(caller.Account, IamKinds.Role, reference, cancellationToken).ConfigureAwait(false);
        }

        if (role is not { Kind: IamKinds.Role } || role.Account != caller.Account)
        {
            throw NimbusException.Invalid("iamRole", $"'{reference}' is not a role of this account");
        }

        var decision = await authorizer.AuthorizeAsync(caller, ComputeActions.PassRole, [role.Nrn], cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            throw NimbusException.AccessDenied($"{caller.Principal} is not allowed to perform {ComputeActions.PassRole} on {role.Nrn}, which giving an instance the role needs.");
        }

        if (!sts.TrustsService(role, ServicePrincipals.Compute))
        {
            throw NimbusException.Invalid("iamRole", $"the trust policy of role '{role.Name}' does not allow the compute service to assume it; add a statement {{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"{ServicePrincipals.Compute}\"}}, \"Action\": \"sts:AssumeRole\"}}");
        }

        return role;
    }

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != ComputeKinds.Instance || resource.Account != account ? throw NimbusException.NotFound($"Instance '{id}'") : resource;
}
