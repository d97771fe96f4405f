using System.Buffers.Binary;

namespace Nimbus.Storage.Engine;

/// <summary>
/// One immutable data file of an object: a single PUT has one, a completed multipart upload one per part.
/// <see cref="BlockCrcs"/> holds the CRC-32C of every <see cref="StorageLayout.BlockSize"/> block (the last may
/// be shorter), so any range can be verified by reading only the blocks it touches.
/// A small object's single segment is <em>inline</em>: its bytes live in the index row itself (<see cref="Inline"/>,
/// id all zeros, no data file), still with the CRC-32C of its one block, verified on every read.
/// </summary>
internal sealed record Segment(DataId Id, long Length, uint[] BlockCrcs)
{
    /// <summary>The bytes of an inline segment; null for a segment in a data file.</summary>
    public byte[]? Inline { get; init; }

    public bool IsInline => Inline is not null;

    /// <summary>An inline segment of <paramref name="data"/> (the CRC-32C of its one block computed by the caller).</summary>
    public static Segment InlineOf(byte[] data, uint[] blockCrcs) => new(default, data.Length, blockCrcs) { Inline = data };

    /// <summary>
    /// Binary form stored in the index: per segment, the 16-byte id, the length, the CRC count and the CRCs; an
    /// inline segment (id all zeros) is followed by its <c>length</c> bytes.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<Segment> segments)
    {
        var size = 0;
        foreach (var s in segments)
        {
            size += DataId.Size + 8 + 4 + (4 * s.BlockCrcs.Length) + (s.Inline?.Length ?? 0);
        }

        var bytes = new byte[size];
        var span = bytes.AsSpan();
        foreach (var s in segments)
        {
            s.Id.WriteTo(span);
            BinaryPrimitives.WriteInt64LittleEndian(span[DataId.Size..], s.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span[(DataId.Size + 8)..], s.BlockCrcs.Length);
            span = span[(DataId.Size + 12)..];
            foreach (var crc in s.BlockCrcs)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, crc);
                span = span[4..];
            }

            if (s.Inline is { } inline)
            {
                inline.CopyTo(span);
                span = span[inline.Length..];
            }
        }

        return bytes;
    }

    public static Segment[] Decode(ReadOnlySpan<byte> bytes)
    {
        var list = new List<Segment>(1);
        while (bytes.Length > 0)
        {
            var id = DataId.Read(bytes);
            var length = BinaryPrimitives.ReadInt64LittleEndian(bytes[DataId.Size..]);
            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[(DataId.Size + 8)..]);
            bytes = bytes[(DataId.Size + 12)..];
            var crcs = new uint[count];
            for (var i = 0; i < count; i++)
            {
                crcs[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
                bytes = bytes[4..];
            }

            if (id.IsInline)
            {
                list.Add(new Segment(id, length, crcs) { Inline = bytes[..(int)length].ToArray() });
                bytes = bytes[(int)length..];
                continue;
            }

            list.Add(new Segment(id, length, crcs));
        }

        return [.. list];
    }
}

/// <summary>Random 128-bit name of a data file; its hex form is the file name.</summary>
internal readonly record struct DataId(Guid Value)
{
    public const int Size = 16;

    public static DataId New() => new(Guid.NewGuid());

    /// <summary>True for the all-zero id of an inline segment (a random id is never all zeros).</summary>
    public bool IsInline => Value == Guid.Empty;

    public static DataId Read(ReadOnlySpan<byte> bytes) => new(new Guid(bytes[..Size]));

    public static bool TryParse(string hex, out DataId id)
    {
        id = default;
        if (hex.Length != 32)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        id = new DataId(new Guid(bytes));
        return true;
    }

    public void WriteTo(Span<byte> destination) => Value.TryWriteBytes(destination);

    public byte[] ToBytes() => Value.ToByteArray();

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Value.TryWriteBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
