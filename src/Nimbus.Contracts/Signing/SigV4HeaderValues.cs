using System.Diagnostics.CodeAnalysis;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// The values of one header: none, one (no allocation), or several (one per header line, in order).
/// </summary>
public readonly struct SigV4HeaderValues
{
    private readonly string? _single;
    private readonly string[]? _many;

    /// <summary>Wraps a single value.</summary>
    /// <param name="value">The header value; required.</param>
    public SigV4HeaderValues(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _single = value;
        _many = null;
    }

    /// <summary>Wraps several values (the array is used as is, not copied).</summary>
    /// <param name="values">The header values in the order received; required, may be empty.</param>
    public SigV4HeaderValues(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _single = null;
        _many = values;
    }

    /// <summary>No values: the header is absent.</summary>
    public static SigV4HeaderValues Empty => default;

    /// <summary>Number of values; 0 when the header is absent.</summary>
    public int Count => _single is not null ? 1 : _many?.Length ?? 0;

    /// <summary>Value number <paramref name="index"/> (0-based).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public string this[int index]
    {
        get
        {
            if (_single is not null)
            {
                ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
                return _single;
            }

            if (_many is null)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return _many[index];
        }
    }

    /// <summary>Returns the only value, or null when there is none or more than one.</summary>
    /// <param name="value">The single value when the method returns true.</param>
    public bool TryGetSingle([NotNullWhen(true)] out string? value)
    {
        value = _single ?? (_many is [var only] ? only : null);
        return value is not null;
    }

    /// <summary>Wraps a single value.</summary>
    /// <param name="value">The header value.</param>
    public static implicit operator SigV4HeaderValues(string value) => new(value);

    /// <summary>Wraps several values.</summary>
    /// <param name="values">The header values.</param>
    public static implicit operator SigV4HeaderValues(string[] values) => new(values);
}
