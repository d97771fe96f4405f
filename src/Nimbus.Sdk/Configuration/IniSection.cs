namespace Nimbus.Sdk.Configuration;

/// <summary>One <c>[section]</c> of an <see cref="IniDocument"/>.</summary>
internal sealed class IniSection
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    public IniSection(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    public string? Get(string key)
    {
        var index = IndexOf(key);
        return index < 0 || _entries[index].Value.Length == 0 ? null : _entries[index].Value;
    }

    public void Set(string key, string? value)
    {
        var index = IndexOf(key);
        if (value is null)
        {
            if (index >= 0)
            {
                _entries.RemoveAt(index);
            }

            return;
        }

        if (value.Contains('\n') || value.Contains('\r'))
        {
            throw new ArgumentException($"The value of '{key}' must be a single line.", nameof(value));
        }

        var entry = new KeyValuePair<string, string>(key, value);
        if (index >= 0)
        {
            _entries[index] = entry;
        }
        else
        {
            _entries.Add(entry);
        }
    }

    private int IndexOf(string key) =>
        _entries.FindIndex(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
}
