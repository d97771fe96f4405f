namespace Nimbus.Testing;

/// <summary>The checkout the tests run from: its root (where <c>Nimbus.slnx</c> is) and its documents.</summary>
public static class Repository
{
    /// <summary>The first directory above the test binaries that holds <c>Nimbus.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The lines of <c>docs/<paramref name="name"/></c>, e.g. <c>compute.md</c>.</summary>
    public static string[] DocLines(string name) => File.ReadAllLines(Path.Combine(Root, "docs", name));

    /// <summary>
    /// The first <c>```console</c> block after the line <paramref name="heading"/> of <c>docs/<paramref name="doc"/></c>:
    /// each <c>$ nimbus ...</c> line (without the <c>$ </c>) with the lines of output that follow it. Throws when the
    /// heading is missing or the block has fewer than <paramref name="minSteps"/> commands.
    /// </summary>
    public static List<(string Command, List<string> Output)> ConsoleExample(string doc, string heading, int minSteps = 1)
    {
        var lines = DocLines(doc);
        var start = Array.IndexOf(lines, heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"docs/{doc} has no line '{heading}'");
        }

        var open = Array.IndexOf(lines, "```console", start);
        var close = open < 0 ? -1 : Array.IndexOf(lines, "```", open + 1);
        if (close < 0)
        {
            throw new InvalidOperationException($"docs/{doc} has no ```console block after '{heading}'");
        }

        var steps = new List<(string Command, List<string> Output)>();
        foreach (var line in lines[(open + 1)..close])
        {
            if (line.StartsWith("$ nimbus ", StringComparison.Ordinal))
            {
                steps.Add((line[2..], []));
            }
            else if (steps.Count > 0)
            {
                steps[^1].Output.Add(line);
            }
        }

        if (steps.Count < minSteps)
        {
            throw new InvalidOperationException($"the example after '{heading}' in docs/{doc} has {steps.Count} commands, fewer than {minSteps}");
        }

        return steps;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Nimbus.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root (Nimbus.slnx) not found above " + AppContext.BaseDirectory);
    }
}
