using System.Text;

namespace Nimbus.Agent.Images;

/// <summary>
/// Watches a tar stream as <see cref="System.Formats.Tar.TarReader"/> reads it and keeps the raw bytes of the
/// extended attributes (<c>SCHILY.xattr.NAME</c>) of its PAX headers. TarReader hands those values out as UTF-8
/// decoded strings, which loses binary values such as a <c>security.capability</c> with a byte of 0x80 or more
/// (<c>cap_setuid</c>, <c>cap_sys_ptrace</c>, ...): GNU tar writes them as raw bytes. The tap parses the same stream
/// (512-byte headers, sizes, PAX records of POSIX.1-2001 pax format) and keeps the last few headers' values, so the
/// writer gets the exact bytes back by name and decoded text.
/// </summary>
internal sealed class PaxXattrTap(Stream inner) : Stream
{
    private const string XattrPrefix = "SCHILY.xattr.";
    private const int MaxPaxHeaderBytes = 1024 * 1024;
    private const int KeptHeaders = 8;
    private readonly byte[] _header = new byte[512];
    private readonly LinkedList<Dictionary<string, byte[]>> _recent = new();
    private int _headerFilled;
    private long _skip;
    private MemoryStream? _pax;
    private long _paxRemaining;

    /// <summary>The raw value of <paramref name="name"/> in a recent PAX header whose UTF-8 reading is <paramref name="decoded"/>; null when none.</summary>
    public byte[]? RawValue(string name, string decoded)
    {
        foreach (var values in _recent)
        {
            if (values.TryGetValue(name, out var raw) && Encoding.UTF8.GetString(raw) == decoded)
            {
                return raw;
            }
        }

        return null;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pax is not null)
            {
                var take = (int)Math.Min(_paxRemaining, data.Length);
                _pax.Write(data[..take]);
                _paxRemaining -= take;
                data = data[take..];
                if (_paxRemaining == 0)
                {
                    Keep(ParseXattrs(_pax.GetBuffer().AsSpan(0, (int)_pax.Length)));
                    _pax = null;
                }

                continue;
            }

            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, data.Length);
                _skip -= take;
                data = data[take..];
                continue;
            }

            var copy = Math.Min(512 - _headerFilled, data.Length);
            data[..copy].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += copy;
            data = data[copy..];
            if (_headerFilled == 512)
            {
                _headerFilled = 0;
                StartEntry();
            }
        }
    }

    /// <summary>A header block is complete: note where its data ends, and capture it when it is a PAX extended header.</summary>
    private void StartEntry()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return; // End-of-archive blocks.
        }

        var size = ParseSize(_header.AsSpan(124, 12));
        var padded = (size + 511) / 512 * 512;
        if (_header[156] == (byte)'x' && size is > 0 and <= MaxPaxHeaderBytes)
        {
            _pax = new MemoryStream((int)size);
            _paxRemaining = size;
            _skip = padded - size;
        }
        else
        {
            _skip = padded;
        }
    }

    private void Keep(Dictionary<string, byte[]>? values)
    {
        if (values is null)
        {
            return;
        }

        _recent.AddFirst(values);
        if (_recent.Count > KeptHeaders)
        {
            _recent.RemoveLast();
        }
    }

    /// <summary>Octal, or base-256 when the first byte's high bit is set (GNU, for sizes of 8 GiB and more).</summary>
    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        long value = 0;
        if ((field[0] & 0x80) != 0)
        {
            for (var i = 1; i < field.Length; i++)
            {
                value = (value << 8) | field[i];
            }

            return value;
        }

        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                value = (value * 8) + (b - '0');
            }
            else if (value > 0 && b is 0 or (byte)' ')
            {
                break;
            }
        }

        return value;
    }

    /// <summary>Records are <c>"LEN KEY=VALUE\n"</c>, LEN counting the whole record in bytes; the value may hold any byte.</summary>
    private static Dictionary<string, byte[]>? ParseXattrs(ReadOnlySpan<byte> data)
    {
        Dictionary<string, byte[]>? values = null;
        while (!data.IsEmpty)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(data[..space]), out var length) || length <= space + 1 || length > data.Length)
            {
                break;
            }

            var record = data[(space + 1)..length];
            data = data[length..];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0 || record[^1] != (byte)'\n')
            {
                continue;
            }

            var key = Encoding.UTF8.GetString(record[..equals]);
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (values ??= new(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = record[(equals + 1)..^1].ToArray();
            }
        }

        return values;
    }
}
