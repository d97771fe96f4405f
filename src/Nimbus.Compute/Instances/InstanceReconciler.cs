using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Images;
using Nimbus.Compute.Networking;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Compute.Node;
using Nimbus.Compute.Scheduling;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Instances;

/// <summary>
/// Drives an instance's container towards its desired state, one small step per reconcile (a stop sends SIGTERM and
/// comes back later rather than waiting), so that a restart of Nimbus at any point resumes where it was: running
/// containers are adopted as they are, containers that ended while nobody watched are cleaned up and restarted by
/// the restart policy, and missing ones (a host reboot) are started again.
/// </summary>
public sealed partial class InstanceReconciler(
    IResourceStore store, IComputeNode node, INetworkNode networkNode, DefaultNetwork network, Metadata.MetadataService metadata,
    Metadata.InstanceProfileCredentials credentials, QuotaService quotas, InstanceScheduler scheduler, Networking.Interfaces.NetworkInterfaceService interfaces,
    ComputeOptions options, TimeProvider time, ILogger<InstanceReconciler> logger)
    : IReconciler
{
    private static readonly TimeSpan StopPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ImagePollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRestartBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Instances whose interface this process has checked (made, or found in place after an adoption).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _networkChecked = new(StringComparer.Ordinal);

    public string Kind => ComputeKinds.Instance;

    /// <summary>A start mostly waits on runc (fork, exec, namespace setup): 50 concurrent creates queued behind 4 workers took 5x raw runc's time.</summary>
    public int? Workers => options.ReconcileWorkers;

    public async Task<ReconcileResult> ReconcileAsync(Resource resource, CancellationToken cancellationToken)
    {
        var spec = InstanceService.SpecOf(resource);
        var details = (DetailsOf(resource) ?? new InstanceDetailsDto { Node = spec.Node }) with
        {
            PrivateIpAddress = spec.NetworkInterface?.PrivateIpAddress,
            Hostname = spec.Hostname,
            IamRole = spec.IamRoleName,
        };
        if (resource.Status.Phase == InstanceStates.Terminated)
        {
            return await LingerAsync(resource, details, cancellationToken).ConfigureAwait(false);
        }

        var observed = await node.InspectAsync(resource.Id, cancellationToken).ConfigureAwait(false);
        var wantsRunning = spec.DesiredState == InstanceStates.Running;
        var rebootPending = wantsRunning && spec.RebootCount > details.RebootCount;
        if (observed.State == InstanceRuntimeState.Running)
        {
            if (!wantsRunning || rebootPending)
            {
                return await StopStepAsync(resource, spec, details with { Pid = observed.Pid, OomKills = observed.OomKills }, rebootPending, cancellationToken).ConfigureAwait(false);
            }

            if (spec.NetworkInterface is { } nic && _networkChecked.TryAdd(resource.Id, true))
            {
                // Adopted after a restart of Nimbus (or of the bridge): its veth goes back on the bridge if it left it.
                try
                {
                    await EnsureInterfaceAsync(resource.Id, nic, cancellationToken).ConfigureAwait(false);
                }
                catch (NodeException ex)
                {
                    _networkChecked.TryRemove(resource.Id, out _);
                    LogNetworkCheckFailed(resource.Id, ex.Message);
                }
            }

            details = details with { Pid = observed.Pid, OomKills = observed.OomKills, StoppingSince = null };
            return Result(resource, InstanceStates.Running, RunningMessage(spec, details), details, options.RunningPollInterval);
        }

        if (observed.State == InstanceRuntimeState.Stopped)
        {
            var exit = await node.CleanupAsync(resource.Id, cancellationToken).ConfigureAwait(false);

            // A stopped instance keeps its address (in the store) but not its namespace and veth: the next start makes them again.
            if (spec.NetworkInterface is not null)
            {
                var state = await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
                await interfaces.RemoveAttachedAsync(resource.Id, state.Bridge, cancellationToken).ConfigureAwait(false);
                await networkNode.RemoveInterfaceAsync(state.Bridge, resource.Id, cancellationToken).ConfigureAwait(false);
                _networkChecked.TryRemove(resource.Id, out _);
            }
            var stoppedByUs = details.StoppingSince is not null || !wantsRunning || rebootPending;
            details = details with { Pid = null, StoppingSince = null, StoppedAt = time.GetUtcNow(), OomKills = Math.Max(details.OomKills, exit.OomKills) };
            if (!stoppedByUs)
            {
                return Ended(resource, spec, details with { LastExit = exit.Describe() }, exit);
            }
        }

        // No container from here on.
        if (spec.DesiredState == InstanceStates.Terminated)
        {
            return await TerminateAsync(resource, spec, details, cancellationToken).ConfigureAwait(false);
        }

        if (spec.DesiredState == InstanceStates.Stopped)
        {
            return Result(resource, InstanceStates.Stopped, null, details with { Pid = null, StoppingSince = null }, null);
        }

        if (rebootPending)
        {
            details = details with { RebootCount = spec.RebootCount };
        }
        else if (resource.Status.Phase is InstanceStates.Stopped or InstanceStates.Failed && resource.Status.ObservedVersion == resource.Version)
        {
            // It ended by itself (restart policy said no) or could not start; a start request (a new version) changes that.
            return new ReconcileResult(resource.Status);
        }

        if (details.LastExit is not null && details.StoppedAt is { } stoppedAt && resource.Status.Phase == InstanceStates.Pending)
        {
            var wait = stoppedAt + RestartBackoff(details.RestartCount) - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                return Result(resource, InstanceStates.Pending, resource.Status.Message, details, wait);
            }
        }

        if (observed.State == InstanceRuntimeState.Absent && resource.Status.Phase == InstanceStates.Running)
        {
            // The store says running and the node has no container at all (no runc state, no mount): the host
            // rebooted (or runc's state was wiped). That is not the workload failing, so no restart is counted.
            LogRecovering(resource.Id);
        }

        return await StartAsync(resource, spec, details, cancellationToken).ConfigureAwait(false);
    }

    public async Task FinalizeAsync(Resource resource, CancellationToken cancellationToken)
    {
        await node.DestroyAsync(resource.Id, cancellationToken).ConfigureAwait(false);
        if (InstanceService.SpecOf(resource).NetworkInterface is not null && network.Current is { } current)
        {
            await interfaces.RemoveAttachedAsync(resource.Id, current.Bridge, cancellationToken).ConfigureAwait(false);
            await networkNode.RemoveInterfaceAsync(current.Bridge, resource.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removal after the retention of a terminated instance: its quota, capacity and address were given back when it was terminated.</summary>
    public async Task BeforeDeleteAsync(IStoreWriter writer, Resource resource, CancellationToken cancellationToken)
    {
        if (resource.Status.Phase != InstanceStates.Terminated)
        {
            await ReleaseAsync(writer, resource.Account, resource.Id, InstanceService.SpecOf(resource), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReconcileResult> StartAsync(Resource resource, InstanceSpec spec, InstanceDetailsDto details, CancellationToken cancellationToken)
    {
        var image = await store.GetAsync(spec.ImageId, cancellationToken).ConfigureAwait(false);
        if (image is null)
        {
            return Result(resource, InstanceStates.Failed, $"image {spec.ImageId} no longer exists", details, null);
        }

        if (image.Status.Phase == ResourcePhases.Failed)
        {
            return Result(resource, InstanceStates.Failed, $"image {image.Name} ({image.Id}) failed: {image.Status.Message}", details, null);
        }

        if (image.Status.Phase != ImageService.Available)
        {
            return Result(resource, InstanceStates.Pending, $"waiting for image {image.Name} ({image.Id}) to be available", details, ImagePollInterval);
        }

        var imageConfig = ImageService.EffectiveConfig(image);
        var environment = new List<string>(imageConfig.Environment);
        foreach (var (name, value) in spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            environment.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
            environment.Add(name + "=" + value);
        }

        // The namespace first (the container joins it), then its interface and rules while the node mounts the disk,
        // writes the bundle and runs the container: eth0 gets its carrier only once the rules hold it, and the init
        // waits for that before the user data and the workload (docs/compute.md, "The start path").
        var launchNetwork = new InstanceNetwork();
        Task? networkReady = null;
        if (spec.NetworkInterface is { } nic)
        {
            try
            {
                var state = await metadata.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
                var path = await networkNode.EnsureNamespaceAsync(state.Bridge, resource.Id, cancellationToken).ConfigureAwait(false);
                networkReady = EnsureInterfaceAsync(resource.Id, nic, cancellationToken);
                launchNetwork = new InstanceNetwork { NamespacePath = path, WaitForCarrier = true };
            }
            catch (NodeException ex)
            {
                LogStartFailed(resource.Id, ex.Message);
                return Result(resource, InstanceStates.Failed, "could not set up its network interface: " + ex.Message, details with { Pid = null }, null);
            }
        }

        var launch = new InstanceLaunch
        {
            Network = launchNetwork,
            InstanceId = resource.Id,
            ImageId = image.Id,
            Hostname = spec.Hostname,
            Command = spec.Command ?? imageConfig.Command,
            WorkingDirectory = imageConfig.WorkingDirectory,
            Environment = environment,
            UserData = details.UserDataRan ? null : spec.UserData,
            VCpus = spec.VCpus,
            MemoryMiB = spec.MemoryMiB,
            PidsLimit = spec.PidsLimit,
        };
        InstanceObservation started;
        try
        {
            started = await node.StartAsync(launch, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeException ex)
        {
            LogStartFailed(resource.Id, ex.Message);
            await ObserveAsync(networkReady).ConfigureAwait(false);
            return Result(resource, InstanceStates.Failed, "could not start: " + ex.Message, details with { Pid = null }, null);
        }

        if (networkReady is not null)
        {
            try
            {
                await networkReady.ConfigureAwait(false);
                _networkChecked[resource.Id] = true;
            }
            catch (NodeException ex)
            {
                LogStartFailed(resource.Id, ex.Message);
                await node.CleanupAsync(resource.Id, cancellationToken).ConfigureAwait(false);
                return Result(resource, InstanceStates.Failed, "could not set up its network interface: " + ex.Message, details with { Pid = null }, null);
            }
        }

        LogStarted(resource.Id, started.Pid ?? 0);
        details = details with
        {
            Pid = started.Pid,
            StartedAt = time.GetUtcNow(),
            StoppingSince = null,
            OomKills = 0,
            AppliedInstanceType = spec.InstanceType,
            UserDataRan = details.UserDataRan || spec.UserData is not null,
        };
        return Result(resource, InstanceStates.Running, RunningMessage(spec, details), details, options.RunningPollInterval);
    }

    /// <summary>Waits for a task whose failure is already reported another way.</summary>
    private static async Task ObserveAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (NodeException)
        {
        }
    }

    /// <summary>
    /// The instance's namespace and veth on its network's bridge (made unless there), the ruleset in line; returns the
    /// namespace's path. The order is the safety argument of a start that runs the container meanwhile: the veth is made
    /// detached (its host end down, off the bridge), the ruleset applied with the interface in it, then the secondary
    /// interfaces and the primary's host end join the bridge: no port is on a bridge before its rules.
    /// </summary>
    private async Task<string> EnsureInterfaceAsync(string instanceId, InstanceInterfaceSpec nic, CancellationToken cancellationToken)
    {
        var state = await metadata.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var bridge = nic.SubnetId is null ? state.Bridge : await network.EnsureVpcBridgeAsync(nic.NetworkId, cancellationToken).ConfigureAwait(false);
        var path = await networkNode.EnsureInterfaceAsync(
            new InterfaceSetup
            {
                Bridge = bridge,
                NamespacePrefix = state.Bridge,
                InstanceId = instanceId,
                PrivateIpAddress = nic.PrivateIpAddress,
                PrefixLength = nic.PrefixLength,
                Gateway = nic.Gateway,
                MacAddress = nic.MacAddress,
                SecondaryAddresses = nic.SubnetId is null ? [] : await interfaces.PrimarySecondaryAddressesAsync(nic.InterfaceId, cancellationToken).ConfigureAwait(false),
                Detached = true,
            },
            cancellationToken).ConfigureAwait(false);
        await network.ApplyRulesAsync(cancellationToken).ConfigureAwait(false);

        // Secondary interfaces attached to the instance go into its namespace too (again after a stop and start, or
        // checked after a restart of Nimbus), after the rules that hold them.
        if (nic.SubnetId is not null)
        {
            await interfaces.EnsureAttachedAsync(instanceId, bridge, state.Bridge, cancellationToken).ConfigureAwait(false);
        }

        await networkNode.AttachInterfaceAsync(bridge, instanceId, cancellationToken).ConfigureAwait(false);
        return path;
    }

    private async Task<ReconcileResult> StopStepAsync(Resource resource, InstanceSpec spec, InstanceDetailsDto details, bool reboot, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var why = reboot ? "rebooting" : spec.DesiredState == InstanceStates.Terminated ? "terminating" : "stopping";
        if (details.StoppingSince is not { } since)
        {
            var kill = spec.ForceStop && !reboot;
            await node.SignalAsync(resource.Id, kill, cancellationToken).ConfigureAwait(false);
            return Result(resource, InstanceStates.Stopping, kill ? $"{why}: SIGKILL sent" : $"{why}: SIGTERM sent", details with { StoppingSince = now }, StopPollInterval);
        }

        if (spec.ForceStop || now - since >= options.StopGracePeriod)
        {
            await node.SignalAsync(resource.Id, kill: true, cancellationToken).ConfigureAwait(false);
            return Result(resource, InstanceStates.Stopping, $"{why}: SIGKILL sent", details, StopPollInterval);
        }

        return Result(resource, InstanceStates.Stopping, resource.Status.Message ?? $"{why}: SIGTERM sent", details, StopPollInterval);
    }

    /// <summary>The workload ended without being asked to: the restart policy decides between starting it again and leaving it stopped or failed.</summary>
    private ReconcileResult Ended(Resource resource, InstanceSpec spec, InstanceDetailsDto details, InstanceExit exit)
    {
        LogEnded(resource.Id, details.LastExit!);
        var restart = spec.RestartPolicy == InstanceStates.RestartAlways || (spec.RestartPolicy == InstanceStates.RestartOnFailure && !exit.Clean);
        if (restart)
        {
            details = details with { RestartCount = details.RestartCount + 1 };
            return Result(resource, InstanceStates.Pending, $"restarting (restart policy {spec.RestartPolicy}): the workload {details.LastExit}", details, RestartBackoff(details.RestartCount));
        }

        return exit.Clean
            ? Result(resource, InstanceStates.Stopped, $"the workload {details.LastExit}", details, null)
            : Result(resource, InstanceStates.Failed, $"the workload {details.LastExit} (restart policy {spec.RestartPolicy})", details, null);
    }

    private async Task<ReconcileResult> TerminateAsync(Resource resource, InstanceSpec spec, InstanceDetailsDto details, CancellationToken cancellationToken)
    {
        await node.DestroyAsync(resource.Id, cancellationToken).ConfigureAwait(false);
        if (spec.NetworkInterface is not null)
        {
            var state = await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
            await interfaces.RemoveAttachedAsync(resource.Id, state.Bridge, cancellationToken).ConfigureAwait(false);
            await networkNode.RemoveInterfaceAsync(state.Bridge, resource.Id, cancellationToken).ConfigureAwait(false);
            _networkChecked.TryRemove(resource.Id, out _);
            await network.ApplyRulesAsync(cancellationToken, excludingInstance: resource.Id).ConfigureAwait(false);
        }

        credentials.Forget(resource.Id);

        var now = time.GetUtcNow();
        var status = new ResourceStatus
        {
            Phase = InstanceStates.Terminated,
            ObservedVersion = resource.Version,
            Conditions = [new Condition("Ready", "False", "Terminated", null, now)],
            Details = Serialize(details with { Pid = null, StoppingSince = null, TerminatedAt = now, PrivateIpAddress = null }),
        };

        // The phase and the return of quota and capacity commit together, once.
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var current = await w.GetAsync(resource.Id, ct).ConfigureAwait(false);
                if (current is null || current.Status.Phase == InstanceStates.Terminated)
                {
                    return false;
                }

                if (current.Version != resource.Version)
                {
                    throw NimbusException.VersionConflict(resource.Id, resource.Version, current.Version);
                }

                await ReleaseAsync(w, current.Account, resource.Id, spec, ct).ConfigureAwait(false);
                await w.UpdateStatusAsync(resource.Id, resource.Version, status, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        LogTerminated(resource.Id);
        return new ReconcileResult(status, options.TerminatedRetention);
    }

    /// <summary>A terminated instance stays listed for <see cref="ComputeOptions.TerminatedRetention"/>, then goes.</summary>
    private async Task<ReconcileResult> LingerAsync(Resource resource, InstanceDetailsDto details, CancellationToken cancellationToken)
    {
        var left = (details.TerminatedAt ?? resource.UpdatedAt) + options.TerminatedRetention - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            return new ReconcileResult(resource.Status, left);
        }

        await store.WriteAsync(
            async (w, ct) =>
            {
                var current = await w.GetAsync(resource.Id, ct).ConfigureAwait(false);
                return current is null || current.DeletionRequestedAt is not null
                    ? current
                    : await w.UpdateAsync(current with { DeletionRequestedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return new ReconcileResult(resource.Status);
    }

    private async Task ReleaseAsync(IStoreWriter writer, string account, string instanceId, InstanceSpec spec, CancellationToken cancellationToken)
    {
        await quotas.ReleaseAsync(writer, account, ComputeQuotas.Instances.Code, 1, cancellationToken).ConfigureAwait(false);
        await quotas.ReleaseAsync(writer, account, ComputeQuotas.VCpus.Code, Math.Max(1, spec.VCpus), cancellationToken).ConfigureAwait(false);
        await quotas.ReleaseAsync(writer, account, ComputeQuotas.MemoryMiB.Code, Math.Max(1, spec.MemoryMiB), cancellationToken).ConfigureAwait(false);
        await scheduler.ReleaseAsync(writer, spec.Node, spec.VCpus, spec.MemoryMiB, cancellationToken).ConfigureAwait(false);

        // Last, as in a run: quota keys, the node's allocation, then the network's IPAM record.
        await network.ReleaseAsync(writer, instanceId, spec.NetworkInterface, cancellationToken).ConfigureAwait(false);
        await interfaces.ReleaseInstanceAsync(writer, account, instanceId, spec.NetworkInterface, cancellationToken).ConfigureAwait(false);
        await SecurityGroupService.LeaveAsync(writer, account, instanceId, cancellationToken).ConfigureAwait(false);
        await Networking.ElasticIps.ElasticIpService.ForgetInstanceAsync(writer, instanceId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private ReconcileResult Result(Resource resource, string phase, string? message, InstanceDetailsDto details, TimeSpan? requeue)
    {
        var ready = phase == InstanceStates.Running ? "True" : "False";
        var previous = resource.Status.Conditions.FirstOrDefault(c => c.Type == "Ready");
        var since = previous is not null && previous.Status == ready ? previous.LastTransitionTime : time.GetUtcNow();
        var conditions = new List<Condition> { new("Ready", ready, Reason(phase), null, since) };
        if (details.OomKills > 0)
        {
            var oom = resource.Status.Conditions.FirstOrDefault(c => c.Type == "OomKilled");
            var text = $"{details.OomKills} process(es) were killed by the OOM killer: the instance reached its memory limit";
            conditions.Add(new Condition("OomKilled", "True", "MemoryLimitReached", text, oom?.Message == text ? oom.LastTransitionTime : time.GetUtcNow()));
        }

        return new ReconcileResult(new ResourceStatus { Phase = phase, Message = message, Conditions = [.. conditions], Details = Serialize(details) }, requeue);
    }

    private static string Reason(string phase) => phase switch
    {
        InstanceStates.Running => "Running",
        InstanceStates.Stopping => "Stopping",
        InstanceStates.Stopped => "Stopped",
        InstanceStates.Failed => "Failed",
        _ => "Pending",
    };

    private static string? RunningMessage(InstanceSpec spec, InstanceDetailsDto details) =>
        details.OomKills > 0 ? $"{details.OomKills} process(es) OOM-killed (memory limit {spec.MemoryMiB} MiB)" : null;

    private static TimeSpan RestartBackoff(int restarts) =>
        restarts <= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(Math.Pow(2, restarts - 2), MaxRestartBackoff.TotalSeconds));

    private static InstanceDetailsDto? DetailsOf(Resource resource) =>
        resource.Status.Details is { ValueKind: JsonValueKind.Object } details ? details.Deserialize<InstanceDetailsDto>(NimbusJson.Options) : null;

    private static JsonElement Serialize(InstanceDetailsDto details) => JsonSerializer.SerializeToElement(details, NimbusJson.Options);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Instance {InstanceId} started (init pid {Pid})")]
    private partial void LogStarted(string instanceId, int pid);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Instance {InstanceId} could not start: {Reason}")]
    private partial void LogStartFailed(string instanceId, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Instance {InstanceId}'s workload ended by itself: {Exit}")]
    private partial void LogEnded(string instanceId, string exit);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Instance {InstanceId} should run but has no container on the node (host reboot?): starting it again")]
    private partial void LogRecovering(string instanceId);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "The network interface of running instance {InstanceId} could not be checked: {Reason}")]
    private partial void LogNetworkCheckFailed(string instanceId, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Instance {InstanceId} terminated")]
    private partial void LogTerminated(string instanceId);
}
