using System.Buffers.Binary;
using System.Text;

namespace Nimbus.Agent.Linux.Netlink;

/// <summary>
/// Builds one netlink request (RFC 3549; linux/netlink.h, linux/rtnetlink.h): the 16-byte header, the family's fixed
/// struct, then attributes (length, type, value, each padded to 4 bytes), nested ones closed with their length filled in.
/// Little-endian host order throughout, as the kernel reads it on x86-64 and arm64; addresses stay in network order.
/// </summary>
internal sealed class NetlinkWriter
{
    private const int HeaderLength = 16;
    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>Starts a message: <c>struct nlmsghdr</c> with its length left to <see cref="ToArray"/>.</summary>
    public NetlinkWriter(ushort type, ushort flags, uint sequence)
    {
        Grow(HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        _length = HeaderLength;
    }

    /// <summary><c>struct ifinfomsg</c> (16 bytes): family, type, index, flags, change mask.</summary>
    public NetlinkWriter InterfaceInfo(int index, uint flags = 0, uint change = 0)
    {
        var span = Reserve(16);
        span[0] = 0; // AF_UNSPEC
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], change);
        return this;
    }

    /// <summary><c>struct ifaddrmsg</c> (8 bytes): family, prefix length, flags, scope, index.</summary>
    public NetlinkWriter AddressInfo(byte family, byte prefixLength, byte scope, int index)
    {
        var span = Reserve(8);
        span[0] = family;
        span[1] = prefixLength;
        span[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        return this;
    }

    /// <summary><c>struct rtmsg</c> (12 bytes): family, destination length, source length, tos, table, protocol, scope, type, flags.</summary>
    public NetlinkWriter RouteInfo(byte family, byte destinationLength, byte table, byte protocol, byte scope, byte type)
    {
        var span = Reserve(12);
        span[0] = family;
        span[1] = destinationLength;
        span[4] = table;
        span[5] = protocol;
        span[6] = scope;
        span[7] = type;
        return this;
    }

    public NetlinkWriter Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var span = Reserve(Align(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
        return this;
    }

    public NetlinkWriter Attribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute (interface names, link kinds).</summary>
    public NetlinkWriter Attribute(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.ASCII.GetByteCount(value) + 1];
        Encoding.ASCII.GetBytes(value, bytes);
        return Attribute(type, bytes);
    }

    /// <summary>Opens a nested attribute; returns its offset for <see cref="End"/>.</summary>
    public int Begin(ushort type)
    {
        var offset = _length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return offset;
    }

    public NetlinkWriter End(int offset)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), (ushort)(_length - offset));
        return this;
    }

    /// <summary>The message with its total length in the header.</summary>
    public byte[] ToArray()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    internal static int Align(int length) => (length + 3) & ~3;

    private Span<byte> Reserve(int length)
    {
        Grow(_length + length);
        var span = _buffer.AsSpan(_length, length);
        span.Clear();
        _length += length;
        return span;
    }

    private void Grow(int needed)
    {
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
