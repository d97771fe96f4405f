using System.Text.Json;
using Nimbus.Agent.Images;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>Images made on the node: staged beside their final directory and renamed into place, all or nothing.</summary>
public sealed partial class RuncNode
{
    private const string ImageFactsFile = "image.json";

    /// <summary>
    /// Runs <paramref name="build"/> in a staging directory beside the image's (same file system, so the final rename is
    /// atomic) unless the image is already there; a failure, a cancellation or a crash never leaves half an image where
    /// instances look. What the build found (config, format) is kept in <c>image.json</c> next to the rootfs, so a
    /// repeated call after a crash answers the same facts.
    /// </summary>
    private async Task<ImageFacts> StageImageAsync(string imageId, Func<string, Task<ImageFacts>> build, CancellationToken cancellationToken)
    {
        var directory = ImageDirectory(imageId);
        if (!HasImage(imageId))
        {
            var staging = directory + ".building-" + Guid.NewGuid().ToString("N")[..8];
            Directory.CreateDirectory(staging);
            try
            {
                var staged = await build(staging).ConfigureAwait(false);
                await File.WriteAllBytesAsync(Path.Combine(staging, ImageFactsFile), SerializeFacts(staged), cancellationToken).ConfigureAwait(false);
                Directory.Move(staging, directory);
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }

        var measured = Measure(Path.Combine(directory, "rootfs"));
        return ReadFacts(directory) is { } facts ? facts with { SizeBytes = measured.SizeBytes, Entries = measured.Entries } : measured;
    }

    private async Task<ImageFacts> CaptureAsync(string staging, string instanceId, string baseImageId, ImageProgress progress, CancellationToken cancellationToken)
    {
        var paths = PathsOf(instanceId);
        if (!Directory.Exists(paths.Upper))
        {
            throw new NodeException($"instance {instanceId} has no disk on this node (was it terminated?)");
        }

        if (Mounts.IsMountPoint(paths.Rootfs) || await StateAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new NodeException($"instance {instanceId} runs; stop it before making an image of it");
        }

        var lower = Path.Combine(ImageDirectory(baseImageId), "rootfs");
        if (!Directory.Exists(lower))
        {
            throw new NodeException($"image {baseImageId}, which instance {instanceId} runs from, is not on this node");
        }

        // The merged view of the read-only overlay is exactly what the instance saw: its changes on its image, files it
        // deleted (whiteouts) and directories it replaced (opaque) already applied by the kernel. Copying it flattens
        // the image, so the new image depends on no other.
        var merged = Path.Combine(staging, "merged");
        var rootfs = Path.Combine(staging, "rootfs");
        Directory.CreateDirectory(merged);
        Directory.CreateDirectory(rootfs);
        Mounts.MountReadOnlyOverlay([paths.Upper, lower], merged);
        try
        {
            await progress("copying the instance's files", cancellationToken).ConfigureAwait(false);
            var cp = ProcessRunner.Find("cp") ?? throw new NodeException("cp is not installed: apt-get install coreutils");
            var (exitCode, tail) = await StreamingProcess.RunAsync(cp, ["-a", "--", merged + "/.", rootfs], _ => Task.CompletedTask, TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new NodeException($"copying the files of instance {instanceId} failed: {tail.LastOrDefault() ?? "cp exited with code " + exitCode}");
            }
        }
        finally
        {
            Mounts.Unmount(merged);
        }

        Directory.Delete(merged);

        // The mount point of the instance's /.nimbus (its init and user data) is the platform's, not the image's.
        var meta = Path.Combine(rootfs, ".nimbus");
        if (Directory.Exists(meta) && !Directory.EnumerateFileSystemEntries(meta).Any())
        {
            Directory.Delete(meta);
        }

        return new ImageFacts(0, 0);
    }

    private ImageLimits NewLimits() => new(_options.MaxImageBytes, _options.MaxImageEntries);

    private SemaphoreSlim DiskLock(string instanceId) => _diskLocks.GetOrAdd(instanceId, _ => new SemaphoreSlim(1, 1));

    private static byte[] SerializeFacts(ImageFacts facts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", facts.Format);
            json.WriteNumber("skippedEntries", facts.SkippedEntries);
            WriteStrings(json, "warnings", facts.Warnings);
            if (facts.Config is { } config)
            {
                json.WriteStartObject("config");
                WriteStrings(json, "command", config.Command);
                WriteStrings(json, "environment", config.Environment);
                json.WriteString("workingDirectory", config.WorkingDirectory);
                json.WriteString("architecture", config.Architecture);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static ImageFacts? ReadFacts(string directory)
    {
        var path = Path.Combine(directory, ImageFactsFile);
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        ImageConfig? config = null;
        if (root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            config = new ImageConfig
            {
                Command = [.. c.GetProperty("command").EnumerateArray().Select(v => v.GetString()!)],
                Environment = [.. c.GetProperty("environment").EnumerateArray().Select(v => v.GetString()!)],
                WorkingDirectory = c.GetProperty("workingDirectory").GetString(),
                Architecture = c.GetProperty("architecture").GetString(),
            };
        }

        return new ImageFacts(0, 0)
        {
            Config = config,
            Format = root.GetProperty("format").GetString(),
            SkippedEntries = root.GetProperty("skippedEntries").GetInt64(),
            Warnings = root.TryGetProperty("warnings", out var warnings) ? [.. warnings.EnumerateArray().Select(v => v.GetString()!)] : [],
        };
    }
}
