using System.Text;

namespace Nimbus.Sdk.Configuration;

/// <summary>
/// The INI dialect of AWS-style credential files: <c>[section]</c> headers, <c>key = value</c> lines,
/// <c>#</c> and <c>;</c> comments. Section and key names compare case-insensitively; order is kept.
/// </summary>
internal sealed class IniDocument
{
    private readonly List<IniSection> _sections = [];

    public IReadOnlyList<IniSection> Sections => _sections;

    public static IniDocument Parse(string text, string pathForErrors)
    {
        var document = new IniDocument();
        IniSection? current = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    throw new NimbusConfigurationException($"{pathForErrors}:{lineNumber}: malformed section header '{line}'.");
                }

                current = document.GetOrAddSection(line[1..^1].Trim());
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                throw new NimbusConfigurationException($"{pathForErrors}:{lineNumber}: expected 'key = value', found '{line}'.");
            }

            if (current is null)
            {
                throw new NimbusConfigurationException($"{pathForErrors}:{lineNumber}: '{line[..equals].Trim()}' is outside any [section].");
            }

            current.Set(line[..equals].Trim(), line[(equals + 1)..].Trim());
        }

        return document;
    }

    public IniSection? FindSection(string name) =>
        _sections.Find(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public IniSection GetOrAddSection(string name)
    {
        var section = FindSection(name);
        if (section is null)
        {
            section = new IniSection(name);
            _sections.Add(section);
        }

        return section;
    }

    /// <summary>
    /// Replaces every section named one of <paramref name="names"/> with one empty section named <paramref name="newName"/>,
    /// at the place of the first one (so rewriting a profile does not reorder the file), or at the end.
    /// </summary>
    public IniSection ReplaceSection(string newName, params string[] names)
    {
        bool Matches(IniSection s) => names.Any(n => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase));
        var index = _sections.FindIndex(Matches);
        var section = new IniSection(newName);
        _sections.RemoveAll(Matches);
        _sections.Insert(index < 0 ? _sections.Count : index, section);
        return section;
    }

    public void RemoveSection(params string[] names) =>
        _sections.RemoveAll(s => names.Any(n => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase)));

    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var section in _sections)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append('[').Append(section.Name).Append("]\n");
            foreach (var (key, value) in section.Entries)
            {
                builder.Append(key).Append(" = ").Append(value).Append('\n');
            }
        }

        return builder.ToString();
    }
}
