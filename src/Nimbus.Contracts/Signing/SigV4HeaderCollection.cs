using System.Collections;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// A simple, case-insensitive <see cref="ISigV4HeaderSource"/> for clients, tests and servers without
/// a header collection of their own. Not thread-safe while being filled.
/// </summary>
public sealed class SigV4HeaderCollection : ISigV4HeaderSource, IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, List<string>> _headers = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<KeyValuePair<string, string>> _ordered = [];

    /// <summary>Adds one header line; a repeated name adds another value after the existing ones.</summary>
    /// <param name="name">Header name (any case); required.</param>
    /// <param name="value">Header value as received, untrimmed; required.</param>
    public void Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!_headers.TryGetValue(name, out List<string>? values))
        {
            values = [];
            _headers.Add(name, values);
        }

        values.Add(value);
        _ordered.Add(new KeyValuePair<string, string>(name, value));
    }

    /// <inheritdoc />
    public SigV4HeaderValues GetValues(string name)
    {
        if (!_headers.TryGetValue(name, out List<string>? values) || values.Count == 0)
        {
            return SigV4HeaderValues.Empty;
        }

        return values.Count == 1 ? new SigV4HeaderValues(values[0]) : new SigV4HeaderValues([.. values]);
    }

    /// <summary>Enumerates the header lines in the order they were added.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _ordered.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
