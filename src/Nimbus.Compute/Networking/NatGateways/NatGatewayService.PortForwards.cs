using System.Globalization;
using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.RouteTables;

namespace Nimbus.Compute.Networking.NatGateways;

/// <summary>
/// Port forwards (DNAT entries): connections to the gateway's elastic IP on a protocol and port go to a private
/// address and port of the gateway's VPC. They live in the gateway's spec, so they go with it, and are changed under
/// the VPC's routing lock (the lock a gateway delete takes), so two concurrent adds cannot both take one port.
/// </summary>
public sealed partial class NatGatewayService
{
    /// <summary>Port forwards one gateway may have (<c>LimitExceeded</c> past it): a fixed limit, like a route table's routes.</summary>
    public const int MaxPortForwardsPerGateway = 50;

    /// <summary>
    /// Ports one gateway may forward in all (<c>LimitExceeded</c> past it), and so the most one range may hold. Each port
    /// is one element of the edge's DNAT map (a hash lookup per packet whatever the count, but the map is written out
    /// whole with every change of the edge), so the bound keeps a rule change's cost bounded too.
    /// </summary>
    public const int MaxForwardedPortsPerGateway = 1024;

    public const string PortForwardPrefix = "pf";

    /// <summary>Adds a port forward to the gateway; in the kernel when the call returns.</summary>
    public async Task<NatPortForward> AddPortForwardAsync(string account, string reference, CreatePortForwardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        var protocol = request.Protocol?.ToLowerInvariant();
        if (protocol is not ("tcp" or "udp"))
        {
            errors.Add("protocol", request.Protocol is null ? "is required: tcp or udp" : $"'{request.Protocol}' is not tcp or udp");
        }

        Port(errors, "externalPort", request.ExternalPort, required: true);
        Port(errors, "externalPortEnd", request.ExternalPortEnd, required: false);
        Port(errors, "privatePort", request.PrivatePort, required: false);
        Port(errors, "privatePortEnd", request.PrivatePortEnd, required: false);
        RangeOf(errors, request);
        uint? privateIp = null;
        if (string.IsNullOrEmpty(request.PrivateIpAddress))
        {
            errors.Add("privateIpAddress", "is required: an address of a subnet of the gateway's VPC");
        }
        else if (!IPAddress.TryParse(request.PrivateIpAddress, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || parsed.ToString() != request.PrivateIpAddress)
        {
            errors.Add("privateIpAddress", $"'{request.PrivateIpAddress}' is not an IPv4 address such as 10.10.1.20");
        }
        else
        {
            privateIp = Ipv4Range.ToUInt32(parsed);
        }

        if (request.Name is not null)
        {
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.StartsWith(PortForwardPrefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'pf-' (ids do)");
            }
        }

        errors.ThrowIfAny();
        var gateway = await GetAsync(account, reference, cancellationToken).ConfigureAwait(false);
        var vpcId = SpecOf(gateway).VpcId;
        var added = await store.WriteAsync(
            async (w, ct) =>
            {
                await w.LockKeyAsync(VpcRouting.Namespace, vpcId, ct).ConfigureAwait(false);
                var current = await w.GetAsync(gateway.Id, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"NAT gateway '{reference}'");
                var spec = SpecOf(current);
                var forwards = spec.PortForwards ?? [];
                var externalPort = request.ExternalPort!.Value;
                var externalEnd = request.ExternalPortEnd ?? externalPort;
                var privatePort = request.PrivatePort ?? externalPort;
                if (forwards.FirstOrDefault(f => f.Protocol == protocol && f.ExternalPort <= externalEnd && externalPort <= LastExternalPort(f)) is { } taken)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409,
                        $"{protocol}/{Ports(externalPort, externalEnd)} of elastic IP {spec.PublicIp} overlaps {protocol}/{Ports(taken.ExternalPort, LastExternalPort(taken))}, "
                        + $"already forwarded to {taken.PrivateIpAddress}:{Ports(taken.PrivatePort, taken.PrivatePort + LastExternalPort(taken) - taken.ExternalPort)} by port forward {taken.Id} of NAT gateway {current.Id}.");
                }

                if (forwards.Count >= MaxPortForwardsPerGateway)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409,
                        $"NAT gateway {current.Id} has {forwards.Count} port forwards, the most a gateway may have ({MaxPortForwardsPerGateway}); remove one first.");
                }

                var forwarded = forwards.Sum(f => LastExternalPort(f) - f.ExternalPort + 1);
                if (forwarded + externalEnd - externalPort + 1 > MaxForwardedPortsPerGateway)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409,
                        $"NAT gateway {current.Id} forwards {forwarded} ports; {externalEnd - externalPort + 1} more would pass the most a gateway may forward ({MaxForwardedPortsPerGateway}).");
                }

                await CheckPrivateIpAsync(w, spec.VpcId, request.PrivateIpAddress!, privateIp!.Value, ct).ConfigureAwait(false);
                var id = ResourceIds.New(PortForwardPrefix);
                var name = request.Name ?? id;
                if (forwards.FirstOrDefault(f => f.Name == name) is { } named)
                {
                    throw NimbusException.AlreadyExists($"Port forward named '{name}' ({named.Id}) of NAT gateway {current.Id}");
                }

                var now = time.GetUtcNow();
                var forward = new NatPortForward
                {
                    Id = id,
                    Name = name,
                    Protocol = protocol!,
                    PublicIp = spec.PublicIp,
                    ExternalPort = externalPort,
                    ExternalPortEnd = externalEnd,
                    PrivateIpAddress = request.PrivateIpAddress!,
                    PrivatePort = privatePort,
                    PrivatePortEnd = privatePort + externalEnd - externalPort,
                    CreatedAt = now,
                };
                var updated = spec with { PortForwards = [.. forwards, forward] };
                await w.UpdateAsync(current with { Spec = JsonSerializer.SerializeToElement(updated, NimbusJson.Options), UpdatedAt = now }, ct).ConfigureAwait(false);
                return forward;
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>The gateway's port forwards, in the order they were added.</summary>
    public async Task<IReadOnlyList<NatPortForward>> ListPortForwardsAsync(string account, string reference, CancellationToken cancellationToken) =>
        SpecOf(await GetAsync(account, reference, cancellationToken).ConfigureAwait(false)).PortForwards ?? [];

    /// <summary>Removes a port forward (by id or name); new connections to its port are no longer forwarded when the call returns.</summary>
    public async Task RemovePortForwardAsync(string account, string reference, string forwardReference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forwardReference);
        var gateway = await GetAsync(account, reference, cancellationToken).ConfigureAwait(false);
        var vpcId = SpecOf(gateway).VpcId;
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.LockKeyAsync(VpcRouting.Namespace, vpcId, ct).ConfigureAwait(false);
                var current = await w.GetAsync(gateway.Id, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"NAT gateway '{reference}'");
                var spec = SpecOf(current);
                var forwards = spec.PortForwards ?? [];
                var forward = forwards.FirstOrDefault(f => f.Id == forwardReference) ?? forwards.FirstOrDefault(f => f.Name == forwardReference)
                    ?? throw NimbusException.NotFound($"Port forward '{forwardReference}' of NAT gateway {current.Id}");
                var updated = spec with { PortForwards = [.. forwards.Where(f => f.Id != forward.Id)] };
                await w.UpdateAsync(current with { Spec = JsonSerializer.SerializeToElement(updated, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last external port of a forward (forwards made before ranges existed have one port).</summary>
    public static int LastExternalPort(NatPortForward forward) => forward.ExternalPortEnd ?? forward.ExternalPort;

    /// <summary>The ranges' own checks, once each port is valid: the ends in order, the size, a private range of the same size within 65535.</summary>
    private static void RangeOf(FieldErrors errors, CreatePortForwardRequest request)
    {
        if (request.ExternalPort is not (>= 1 and <= 65535) || request.ExternalPortEnd is not (>= 1 and <= 65535) and not null
            || request.PrivatePort is not (>= 1 and <= 65535) and not null || request.PrivatePortEnd is not (>= 1 and <= 65535) and not null)
        {
            return;
        }

        var first = request.ExternalPort.Value;
        var last = request.ExternalPortEnd ?? first;
        if (last < first)
        {
            errors.Add("externalPortEnd", string.Create(CultureInfo.InvariantCulture, $"{last} is below externalPort {first}: a range is first-last"));
            return;
        }

        if (last - first + 1 > MaxForwardedPortsPerGateway)
        {
            errors.Add("externalPortEnd", string.Create(CultureInfo.InvariantCulture, $"{first}-{last} holds {last - first + 1} ports; a range holds at most {MaxForwardedPortsPerGateway}"));
            return;
        }

        var privateFirst = request.PrivatePort ?? first;
        var privateLast = privateFirst + last - first;
        if (request.PrivatePortEnd is { } given && given != privateLast)
        {
            errors.Add("privatePortEnd", string.Create(
                CultureInfo.InvariantCulture, $"{privateFirst}-{given} is not the size of {first}-{last} ({last - first + 1} ports): a range maps to a range of the same size, here {privateFirst}-{privateLast}"));
        }
        else if (privateLast > 65535)
        {
            errors.Add("privatePort", string.Create(CultureInfo.InvariantCulture, $"{privateFirst}-{privateLast} (the size of {first}-{last}) goes past port 65535"));
        }
    }

    private static string Ports(int first, int last) =>
        first == last ? first.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");

    private static void Port(FieldErrors errors, string field, int? port, bool required)
    {
        if (port is null)
        {
            if (required)
            {
                errors.Add(field, "is required: a port from 1 to 65535");
            }
        }
        else if (port is < 1 or > 65535)
        {
            errors.Add(field, string.Create(CultureInfo.InvariantCulture, $"{port} is not a port from 1 to 65535"));
        }
    }

    /// <summary>The private address must be a usable address of a subnet of the VPC (not its network, gateway or broadcast address).</summary>
    private static async Task CheckPrivateIpAsync(IStoreWriter writer, string vpcId, string text, uint address, CancellationToken cancellationToken)
    {
        var value = await writer.GetValueAsync(VpcLayout.Namespace, vpcId, cancellationToken).ConfigureAwait(false);
        var layout = value is null ? new VpcLayout() : JsonSerializer.Deserialize<VpcLayout>(value, NimbusJson.Options)!;
        foreach (var (subnetId, cidr) in layout.Subnets)
        {
            var range = Ipv4Range.Parse(cidr);
            if (range.Contains(address))
            {
                var (first, last) = range.Usable;
                if (address < first || address > last)
                {
                    throw NimbusException.Invalid("privateIpAddress", $"{text} is a reserved address of subnet {subnetId} ({cidr}): its network, gateway or broadcast address");
                }

                return;
            }
        }

        throw NimbusException.Invalid("privateIpAddress", $"{text} is in no subnet of VPC {vpcId}, the NAT gateway's");
    }
}
