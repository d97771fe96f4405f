using System.Globalization;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>
/// The console log as the spawn helper's logger keeps it (nimbus-init.c): <c>console.log</c>, the one previous file
/// <c>console.log.1</c>, and <c>console.log.state</c> ("GENERATION OFFSET": where console.log starts in everything
/// the instance wrote; an odd generation while a rotation is under way). Offsets given to readers are in that whole
/// output, so a reader that follows keeps its place across rotations.
/// </summary>
public sealed partial class RuncNode
{
    private const int MaxStateAttempts = 100;

    public async Task<ConsoleChunk> ReadConsoleAsync(string instanceId, long offset, int maxBytes, CancellationToken cancellationToken)
    {
        var paths = PathsOf(instanceId);
        for (var attempt = 1; ; attempt++)
        {
            var before = ReadConsoleState(paths.ConsoleState);
            if (before.Generation % 2 == 1 && attempt < MaxStateAttempts)
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var chunk = await ReadConsoleAsync(paths, before.Start, offset, maxBytes, cancellationToken).ConfigureAwait(false);

            // A rotation between the two looks may have moved bytes from one file to the other: read again.
            if (ReadConsoleState(paths.ConsoleState) == before || attempt >= MaxStateAttempts)
            {
                return chunk;
            }
        }
    }

    private static async Task<ConsoleChunk> ReadConsoleAsync(InstancePaths paths, long currentStart, long offset, int maxBytes, CancellationToken cancellationToken)
    {
        await using var current = OpenShared(paths.Console);
        await using var previous = currentStart > 0 ? OpenShared(paths.Console + ".1") : null;
        var currentSize = current?.Length ?? 0;
        var previousSize = previous?.Length ?? 0;
        var earliest = Math.Max(0, currentStart - previousSize);
        var end = currentStart + currentSize;
        var start = offset < 0 ? Math.Max(earliest, end + offset) : Math.Clamp(offset, earliest, end);

        // One file per chunk: a chunk that reaches the end of the previous file stops there, the next read goes on.
        var (file, position, available) = start < currentStart
            ? (previous, start - earliest, currentStart - start)
            : (current, start - currentStart, end - start);
        var length = (int)Math.Min(maxBytes, available);
        var data = new byte[length];
        if (length > 0 && file is not null)
        {
            file.Position = position;
            length = await file.ReadAtLeastAsync(data, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        return new ConsoleChunk(start, start + length, end, length == data.Length ? data : data[..length]);
    }

    private static FileStream? OpenShared(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Never written yet, or the instance was just terminated (its directory removed): no output.
            return null;
        }
    }

    private static (long Generation, long Start) ReadConsoleState(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (0, 0);
        }

        var parts = text.Trim().Split(' ');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (generation, start)
            : (0, 0);
    }
}
