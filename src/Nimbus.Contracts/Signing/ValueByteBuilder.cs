using System.Buffers;
using System.Text;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// Growable UTF-8 buffer that starts on a caller-provided (usually stack) span and moves to
/// <see cref="ArrayPool{T}"/> only when a canonical request outgrows it.
/// </summary>
internal ref struct ValueByteBuilder
{
    private byte[]? _rented;
    private Span<byte> _buffer;
    private int _length;

    public ValueByteBuilder(Span<byte> initial)
    {
        _rented = null;
        _buffer = initial;
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void Append(byte value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
    }

    /// <summary>Appends <paramref name="chars"/> as UTF-8 (ASCII is the common, vectorized case).</summary>
    public void AppendUtf8(scoped ReadOnlySpan<char> chars)
    {
        int max = Encoding.UTF8.GetMaxByteCount(chars.Length);
        if (_length + max > _buffer.Length)
        {
            Grow(max);
        }

        _length += Encoding.UTF8.GetBytes(chars, _buffer[_length..]);
    }

    public void AppendPercentEncoded(byte value)
    {
        if (_length + 3 > _buffer.Length)
        {
            Grow(3);
        }

        _buffer[_length] = (byte)'%';
        _buffer[_length + 1] = (byte)"0123456789ABCDEF"[value >> 4];
        _buffer[_length + 2] = (byte)"0123456789ABCDEF"[value & 0xF];
        _length += 3;
    }

    /// <summary>Appends <paramref name="bytes"/> as lowercase hex.</summary>
    public void AppendLowerHex(scoped ReadOnlySpan<byte> bytes)
    {
        int needed = bytes.Length * 2;
        if (_length + needed > _buffer.Length)
        {
            Grow(needed);
        }

        Span<byte> destination = _buffer.Slice(_length, needed);
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
        }

        _length += needed;
    }

    public override readonly string ToString() => Encoding.UTF8.GetString(Written);

    public void Dispose()
    {
        byte[]? rented = _rented;
        this = default;
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Grow(int additional)
    {
        int size = Math.Max(_length + additional, Math.Max(256, _buffer.Length * 2));
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _buffer[.._length].CopyTo(next);
        byte[]? previous = _rented;
        _rented = next;
        _buffer = next;
        if (previous is not null)
        {
            ArrayPool<byte>.Shared.Return(previous);
        }
    }
}
