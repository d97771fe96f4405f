using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// Builds Debian images with Debian's <c>debootstrap</c> (minbase variant: apt, bash, coreutils and what they need).
/// Minutes of downloads and unpacking; every line debootstrap prints about its progress (<c>I: Retrieving ...</c>,
/// <c>I: Installing ...</c>) becomes the image's status message.
/// </summary>
internal static class DebootstrapBuilder
{
    /// <summary>Recipes and the Debian suite each one builds.</summary>
    public static readonly IReadOnlyDictionary<string, string> Recipes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["debian-12"] = "bookworm",
    };

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public static async Task<ImageConfig> BuildAsync(string rootfs, string recipe, string mirror, ImageProgress progress, CancellationToken cancellationToken)
    {
        if (!Recipes.TryGetValue(recipe, out var suite))
        {
            throw new NodeException($"there is no image recipe '{recipe}'; recipes: {string.Join(", ", Recipes.Keys)}");
        }

        var debootstrap = ProcessRunner.Find("debootstrap") ?? throw new NodeException("debootstrap is not installed: apt-get install debootstrap");
        await progress($"debootstrap {suite} from {mirror}", cancellationToken).ConfigureAwait(false);
        var (exitCode, tail) = await StreamingProcess.RunAsync(
            debootstrap,
            ["--variant=minbase", suite, rootfs, mirror],
            line => line.StartsWith("I: ", StringComparison.Ordinal) ? progress("debootstrap: " + line[3..], cancellationToken) : Task.CompletedTask,
            Timeout,
            cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            var reason = tail.LastOrDefault(l => l.StartsWith("E: ", StringComparison.Ordinal))?[3..] ?? tail.LastOrDefault() ?? "no output";
            throw new NodeException($"debootstrap {suite} failed (exit code {exitCode}): {reason}");
        }

        // What only the build needed: downloaded packages and package lists (apt-get update fetches fresh ones).
        await progress("cleaning up", cancellationToken).ConfigureAwait(false);
        foreach (var directory in new[] { "var/cache/apt/archives", "var/lib/apt/lists" })
        {
            var path = Path.Combine(rootfs, directory);
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path))
                {
                    File.Delete(file);
                }
            }
        }

        // Deleted first: a link there would be followed to the host's file.
        var resolvConf = Path.Combine(rootfs, "etc/resolv.conf");
        File.Delete(resolvConf);
        await File.WriteAllTextAsync(resolvConf, "", cancellationToken).ConfigureAwait(false);
        return new ImageConfig
        {
            Command = [],
            Environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8"],
        };
    }
}
