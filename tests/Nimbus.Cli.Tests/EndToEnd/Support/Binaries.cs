namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>Where the built programs are: copied next to the tests by the project references, else in artifacts/bin.</summary>
internal static class Binaries
{
    /// <summary>The CLI, <c>nimbus.dll</c> (src/Nimbus.Cli).</summary>
    public static string Cli => Find("nimbus.dll", "Nimbus.Cli");

    /// <summary>The server, <c>nimbus-server.dll</c> (src/Nimbus.Server).</summary>
    public static string Server => Find("nimbus-server.dll", "Nimbus.Server");

    /// <summary>
    /// The dotnet host running these tests (<c>dotnet test</c> exports DOTNET_HOST_PATH), so the children use the
    /// same SDK and runtime; else whatever <c>dotnet</c> PATH finds.
    /// </summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    private static string Find(string fileName, string projectName)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, fileName);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var built = Path.Combine(directory.FullName, "artifacts", "bin", projectName, "debug", fileName);
            if (File.Exists(built))
            {
                return built;
            }
        }

        throw new FileNotFoundException($"{fileName} is neither next to the tests ({AppContext.BaseDirectory}) nor in artifacts/bin/{projectName}/debug: build tests/Nimbus.Cli.Tests.");
    }
}
