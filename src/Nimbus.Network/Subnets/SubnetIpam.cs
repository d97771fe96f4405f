using Nimbus.Core.Store;
using Nimbus.Network.Addressing;

namespace Nimbus.Network.Subnets;

/// <summary>
/// Private addresses of subnets, in the caller's unit of work. The network address, the gateway (first address after
/// it, on the VPC's bridge) and the broadcast address are never handed out.
/// </summary>
public static class SubnetIpam
{
    /// <summary>
    /// Takes <paramref name="requested"/> (when given: <c>InvalidParameter</c> outside the usable range, <c>Conflict</c>
    /// when held) or the next free address for <paramref name="holder"/>; <c>IpAddressExhausted</c> when none is left.
    /// </summary>
    public static async Task<string> AllocateAsync(
        IStoreWriter writer, string subnetId, AddressHolder holder, string? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(holder);
        await writer.LockKeyAsync(SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
        var state = await KeyValues.ReadAsync<SubnetAddresses>(writer, SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false)
            ?? throw Core.Errors.NimbusException.NotFound($"Subnet '{subnetId}'");
        var range = Ipv4Range.Parse(state.Cidr);
        var (first, last) = range.Usable;
        var usable = (long)last - first + 1;
        if (requested is not null)
        {
            if (!System.Net.IPAddress.TryParse(requested, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
                || Ipv4Range.ToUInt32(parsed) is var value && (value < first || value > last))
            {
                throw Core.Errors.NimbusException.Invalid("privateIpAddress", $"'{requested}' is not a usable address of subnet {subnetId} ({state.Cidr}: {Ipv4Range.Format(first)} to {Ipv4Range.Format(last)})");
            }

            var text = Ipv4Range.Format(value);
            if (state.Allocations.TryGetValue(text, out var held))
            {
                throw new Core.Errors.NimbusException(Contracts.Errors.ErrorCodes.Conflict, 409, $"Address {text} of subnet {subnetId} is held by {held.InterfaceId}.");
            }

            await WriteAsync(writer, subnetId, state with { Allocations = With(state.Allocations, text, holder) }, cancellationToken).ConfigureAwait(false);
            return text;
        }

        if (state.Allocations.Count >= usable)
        {
            throw NetworkErrors.AddressExhausted(subnetId, state.Cidr, usable);
        }

        for (long step = 0; step < usable; step++)
        {
            var offset = (state.Cursor + step) % usable;
            var address = Ipv4Range.Format((uint)(first + offset));
            if (!state.Allocations.ContainsKey(address))
            {
                await WriteAsync(writer, subnetId, state with { Cursor = (offset + 1) % usable, Allocations = With(state.Allocations, address, holder) }, cancellationToken).ConfigureAwait(false);
                return address;
            }
        }

        throw new InvalidOperationException("no free address found although the count said there was one");
    }

    /// <summary>Gives <paramref name="address"/> back when <paramref name="interfaceId"/> holds it; nothing to do otherwise.</summary>
    public static async Task ReleaseAsync(IStoreWriter writer, string subnetId, string address, string interfaceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
        var state = await KeyValues.ReadAsync<SubnetAddresses>(writer, SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
        if (state is not null && state.Allocations.TryGetValue(address, out var held) && held.InterfaceId == interfaceId)
        {
            var allocations = new Dictionary<string, AddressHolder>(state.Allocations, StringComparer.Ordinal);
            allocations.Remove(address);
            await WriteAsync(writer, subnetId, state with { Allocations = allocations }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives every address <paramref name="holder"/>'s interface holds to <paramref name="holder"/> (an attach or a detach moves them together).</summary>
    public static async Task RehomeAsync(IStoreWriter writer, string subnetId, AddressHolder holder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(holder);
        await writer.LockKeyAsync(SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
        var state = await KeyValues.ReadAsync<SubnetAddresses>(writer, SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return;
        }

        var allocations = new Dictionary<string, AddressHolder>(state.Allocations, StringComparer.Ordinal);
        foreach (var (address, held) in state.Allocations)
        {
            if (held.InterfaceId == holder.InterfaceId)
            {
                allocations[address] = holder;
            }
        }

        await WriteAsync(writer, subnetId, state with { Allocations = allocations }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The subnet's addresses and usage as stored now; null for an unknown subnet.</summary>
    public static Task<SubnetAddresses?> ReadAsync(IResourceStore store, string subnetId, CancellationToken cancellationToken) =>
        KeyValues.ReadAsync<SubnetAddresses>(store, SubnetAddresses.Namespace, subnetId, cancellationToken);

    private static Dictionary<string, AddressHolder> With(Dictionary<string, AddressHolder> allocations, string address, AddressHolder holder) =>
        new(allocations, StringComparer.Ordinal) { [address] = holder };

    private static Task WriteAsync(IStoreWriter writer, string subnetId, SubnetAddresses state, CancellationToken cancellationToken) =>
        KeyValues.WriteAsync(writer, SubnetAddresses.Namespace, subnetId, state, cancellationToken);
}
