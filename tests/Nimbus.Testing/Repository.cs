namespace Nimbus.Testing;

/// <summary>The checkout the tests run from: its root (where <c>Nimbus.slnx</c> is) and its documents.</summary>
public static class Repository
{
    /// <summary>The first directory above the test binaries that holds <c>Nimbus.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The lines of <c>docs/<paramref name="name"/></c>, e.g. <c>compute.md</c>.</summary>
    public static string[] DocLines(string name) => File.ReadAllLines(Path.Combine(Root, "docs", name));

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
