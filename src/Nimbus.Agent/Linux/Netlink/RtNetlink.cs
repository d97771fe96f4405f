using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Nimbus.Agent.Linux.Netlink;

/// <summary>
/// An rtnetlink socket (<c>AF_NETLINK</c>, <c>NETLINK_ROUTE</c>) and the few requests an instance's interface needs:
/// what <c>ip link/addr/route</c> would send, without a process per step (each <c>ip</c> costs milliseconds of CPU
/// and fork/exec of a large process; a request here costs a send and a receive). A socket belongs to the network
/// namespace it was made in, whichever thread uses it later (see <see cref="NetworkNamespaces"/>). One request at a
/// time: each waits for its acknowledgement, whose error is the kernel's errno (and its extended message, when it
/// has one).
/// </summary>
internal sealed partial class RtNetlink : IDisposable
{
    internal const ushort NewLink = 16;
    internal const ushort DeleteLinkType = 17;
    internal const ushort GetLink = 18;
    internal const ushort NewAddress = 20;
    internal const ushort NewRoute = 24;

    internal const ushort Request = 0x1;
    internal const ushort Ack = 0x4;
    internal const ushort Replace = 0x100;
    internal const ushort Exclusive = 0x200;
    internal const ushort Create = 0x400;

    internal const uint InterfaceUp = 0x1;
    internal const int NoSuchDevice = 19;

    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int SolNetlink = 270;
    private const int NetlinkCapAck = 10;
    private const int NetlinkExtAck = 11;
    private const ushort MessageError = 2;
    private const ushort AckTlvs = 0x200;
    private const int ReplyTimeoutMs = 10_000;

    private readonly int _fd;
    private readonly byte[] _receive = new byte[32 * 1024];
    private uint _sequence;

    private RtNetlink(int fd) => _fd = fd;

    /// <summary>A socket in the calling thread's network namespace.</summary>
    public static RtNetlink Open()
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new IOException($"opening an rtnetlink socket failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        // Errors name what the kernel refused (extended acks), and the acknowledgement does not echo the request back.
        var one = 1;
        _ = SetSocketOption(fd, SolNetlink, NetlinkExtAck, ref one, sizeof(int));
        _ = SetSocketOption(fd, SolNetlink, NetlinkCapAck, ref one, sizeof(int));
        return new RtNetlink(fd);
    }

    /// <summary>The index of the interface <paramref name="name"/>, or null when there is none.</summary>
    public int? LinkIndex(string name)
    {
        var index = Execute(GetLinkRequest(++_sequence, name), out var errno, out var message);
        return errno == NoSuchDevice ? null : errno != 0 ? throw Failure($"looking up interface {name}", errno, message) : index;
    }

    /// <summary>A veth pair: <paramref name="name"/> here, its peer made directly in the namespace <paramref name="peerNamespaceFd"/> with a MAC address.</summary>
    public void AddVethPair(string name, string peerName, ReadOnlySpan<byte> peerMac, int peerNamespaceFd) =>
        Check(VethRequest(++_sequence, name, peerName, peerMac, peerNamespaceFd), $"adding veth pair {name}/{peerName}");

    /// <summary>Brings an interface up and, with <paramref name="master"/>, makes it a port of that bridge.</summary>
    public void SetUp(int index, int? master, string name) =>
        Check(SetLinkRequest(++_sequence, index, master), master is null ? $"bringing up {name}" : $"putting {name} on its bridge");

    /// <summary>Deletes an interface (a veth takes its peer with it); false when there was none.</summary>
    public bool DeleteLink(string name)
    {
        Execute(DeleteLinkRequest(++_sequence, name), out var errno, out var message);
        return errno == NoSuchDevice ? false : errno != 0 ? throw Failure($"deleting interface {name}", errno, message) : true;
    }

    /// <summary>Sets an IPv4 address on an interface, as <c>ip addr replace</c> does.</summary>
    public void ReplaceAddress(int index, IPAddress address, int prefixLength, string name) =>
        Check(AddressRequest(++_sequence, index, address, prefixLength), $"setting address {address}/{prefixLength} on {name}");

    /// <summary>The main table's IPv4 default route via <paramref name="gateway"/> out of the interface, as <c>ip route replace default</c> does.</summary>
    public void ReplaceDefaultRoute(int index, IPAddress gateway, string name) =>
        Check(DefaultRouteRequest(++_sequence, index, gateway), $"setting the default route via {gateway} on {name}");

    public void Dispose() => _ = Close(_fd);

    internal static byte[] GetLinkRequest(uint sequence, string name) =>
        new NetlinkWriter(GetLink, Request | Ack, sequence).InterfaceInfo(0).Attribute(Attributes.InterfaceName, name).ToArray();

    internal static byte[] DeleteLinkRequest(uint sequence, string name) =>
        new NetlinkWriter(DeleteLinkType, Request | Ack, sequence).InterfaceInfo(0).Attribute(Attributes.InterfaceName, name).ToArray();

    internal static byte[] SetLinkRequest(uint sequence, int index, int? master)
    {
        var writer = new NetlinkWriter(NewLink, Request | Ack, sequence).InterfaceInfo(index, InterfaceUp, InterfaceUp);
        if (master is { } bridge)
        {
            writer.Attribute(Attributes.Master, (uint)bridge);
        }

        return writer.ToArray();
    }

    internal static byte[] VethRequest(uint sequence, string name, string peerName, ReadOnlySpan<byte> peerMac, int peerNamespaceFd)
    {
        var writer = new NetlinkWriter(NewLink, Request | Ack | Create | Exclusive, sequence).InterfaceInfo(0).Attribute(Attributes.InterfaceName, name);
        var linkInfo = writer.Begin(Attributes.LinkInfo);
        writer.Attribute(Attributes.InfoKind, "veth");
        var data = writer.Begin(Attributes.InfoData);
        var peer = writer.Begin(Attributes.VethPeer);
        writer.InterfaceInfo(0).Attribute(Attributes.InterfaceName, peerName).Attribute(Attributes.Address, peerMac).Attribute(Attributes.NamespaceFd, (uint)peerNamespaceFd);
        return writer.End(peer).End(data).End(linkInfo).ToArray();
    }

    internal static byte[] AddressRequest(uint sequence, int index, IPAddress address, int prefixLength)
    {
        var bytes = Ipv4(address);
        return new NetlinkWriter(NewAddress, Request | Ack | Create | Replace, sequence)
            .AddressInfo((byte)AddressFamily.InterNetwork, (byte)prefixLength, 0 /* RT_SCOPE_UNIVERSE */, index)
            .Attribute(Attributes.AddressLocal, bytes)
            .Attribute(Attributes.AddressAddress, bytes)
            .ToArray();
    }

    internal static byte[] DefaultRouteRequest(uint sequence, int index, IPAddress gateway) =>
        new NetlinkWriter(NewRoute, Request | Ack | Create | Replace, sequence)
            .RouteInfo((byte)AddressFamily.InterNetwork, 0, 254 /* RT_TABLE_MAIN */, 3 /* RTPROT_BOOT, as ip */, 0 /* RT_SCOPE_UNIVERSE */, 1 /* RTN_UNICAST */)
            .Attribute(Attributes.RouteGateway, Ipv4(gateway))
            .Attribute(Attributes.RouteOutputInterface, (uint)index)
            .ToArray();

    /// <summary>
    /// Reads the answers to <paramref name="sequence"/> in <paramref name="datagram"/>: the interface index of a link
    /// message, and the acknowledgement's errno (positive; 0 for success) with the kernel's extended message.
    /// </summary>
    internal static bool ReadReplies(ReadOnlySpan<byte> datagram, uint sequence, ref int? index, out int errno, out string? message)
    {
        errno = 0;
        message = null;
        while (datagram.Length >= 16)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < 16 || length > datagram.Length)
            {
                throw new IOException("rtnetlink answered a malformed message");
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(datagram[6..]);
            var bodySequence = BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]);
            var body = datagram[16..length];
            if (bodySequence == sequence)
            {
                if (type == NewLink && body.Length >= 16)
                {
                    index = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                }
                else if (type == MessageError && body.Length >= 4)
                {
                    errno = -BinaryPrimitives.ReadInt32LittleEndian(body);

                    // struct nlmsgerr { int error; struct nlmsghdr msg; } then, with NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG (1).
                    if ((flags & AckTlvs) != 0 && body.Length > 20)
                    {
                        message = ErrorMessage(body[20..]);
                    }

                    return true;
                }
            }

            datagram = datagram[Math.Min(NetlinkWriter.Align(length), datagram.Length)..];
        }

        return false;
    }

    private static string? ErrorMessage(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]);
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if (type == 1)
            {
                return Encoding.ASCII.GetString(attributes[4..length]).TrimEnd('\0');
            }

            attributes = attributes[Math.Min(NetlinkWriter.Align(length), attributes.Length)..];
        }

        return null;
    }

    private static byte[] Ipv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.GetAddressBytes() : throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));

    private static IOException Failure(string what, int errno, string? message) =>
        new($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)}{(message is null ? "" : " (" + message + ")")}");

    private void Check(byte[] request, string what)
    {
        Execute(request, out var errno, out var message);
        if (errno != 0)
        {
            throw Failure(what, errno, message);
        }
    }

    private unsafe int? Execute(byte[] request, out int errno, out string? message)
    {
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(8));
        fixed (byte* data = request)
        {
            nint sent;
            do
            {
                sent = Send(_fd, data, (nuint)request.Length, 0);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Native.Eintr);

            if (sent < 0)
            {
                throw new IOException($"sending to rtnetlink failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }

        int? index = null;
        while (true)
        {
            if (!Native.WaitReadable(_fd, ReplyTimeoutMs, out _))
            {
                throw new IOException($"rtnetlink did not answer within {ReplyTimeoutMs / 1000} s");
            }

            var received = Native.ReadSome(_fd, _receive);
            if (received == -Native.Eintr)
            {
                continue;
            }

            if (received < 0)
            {
                throw new IOException($"receiving from rtnetlink failed: {Marshal.GetPInvokeErrorMessage(-received)}");
            }

            if (ReadReplies(_receive.AsSpan(0, received), sequence, ref index, out errno, out message))
            {
                return index;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSocketOption(int fd, int level, int name, ref int value, int length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>Attribute types of linux/if_link.h, linux/veth.h, linux/if_addr.h and linux/rtnetlink.h.</summary>
    internal static class Attributes
    {
        public const ushort Address = 1;          // IFLA_ADDRESS
        public const ushort InterfaceName = 3;    // IFLA_IFNAME
        public const ushort Master = 10;          // IFLA_MASTER
        public const ushort LinkInfo = 18;        // IFLA_LINKINFO
        public const ushort NamespaceFd = 28;     // IFLA_NET_NS_FD
        public const ushort InfoKind = 1;         // IFLA_INFO_KIND
        public const ushort InfoData = 2;         // IFLA_INFO_DATA
        public const ushort VethPeer = 1;         // VETH_INFO_PEER
        public const ushort AddressAddress = 1;   // IFA_ADDRESS
        public const ushort AddressLocal = 2;     // IFA_LOCAL
        public const ushort RouteOutputInterface = 4; // RTA_OIF
        public const ushort RouteGateway = 5;     // RTA_GATEWAY
    }
}
