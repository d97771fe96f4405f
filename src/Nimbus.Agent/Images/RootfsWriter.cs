using System.Formats.Tar;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// Writes tar archives into a root filesystem directory safely, as root, whatever the archive says: no entry lands
/// outside the directory (names with <c>..</c> or a leading <c>/</c> are refused, and no symbolic link is ever
/// followed while writing: an entry whose path goes through one is refused), hard links must point at an entry
/// inside the tree, device nodes are skipped (instances get their own <c>/dev</c>), ownership, modes (setuid
/// included) and modification times are kept. Layers of an OCI image are applied with their whiteouts
/// (<c>.wh.NAME</c> removes NAME of lower layers, <c>.wh..wh..opq</c> empties a directory of lower layers' entries).
/// Sizes and entry counts are bounded: a decompression bomb fails instead of filling the disk.
/// </summary>
internal sealed class RootfsWriter
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private readonly string _root;
    private readonly ImageLimits _limits;
    private readonly bool _privileged = Environment.IsPrivilegedProcess;

    public RootfsWriter(string root, ImageLimits limits)
    {
        _root = Path.GetFullPath(root);
        _limits = limits;
        Directory.CreateDirectory(_root);
    }

    /// <summary>Device nodes and other special entries not created.</summary>
    public long Skipped { get; private set; }

    /// <summary>What was left out without failing the import (extended attributes of namespaces that cannot be set), at most <see cref="MaxWarnings"/>.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private const int MaxWarnings = 20;
    private const string XattrPrefix = "SCHILY.xattr.";
    private readonly List<string> _warnings = [];
    private long _moreWarnings;

    /// <summary>Applies one tar stream; with <paramref name="whiteouts"/> (OCI layers) <c>.wh.</c> entries remove instead of being written.</summary>
    public async Task ApplyAsync(Stream tar, bool whiteouts, CancellationToken cancellationToken)
    {
        var thisLayer = new HashSet<string>(StringComparer.Ordinal);
        var tap = new PaxXattrTap(tar);
        await using var reader = new TarReader(tap, leaveOpen: true);
        while (await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            var relative = Normalize(entry.Name, "entry");
            if (relative is null)
            {
                continue; // "./": the root itself keeps its own metadata.
            }

            _limits.CountEntry();
            var name = relative[(relative.LastIndexOf('/') + 1)..];
            if (whiteouts && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                ApplyWhiteout(relative, name, thisLayer);
                continue;
            }

            var parent = ResolveParent(relative, create: true)!;
            var path = Path.Combine(parent, name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!IsRealDirectory(path))
                    {
                        Remove(path);
                        Directory.CreateDirectory(path);
                    }

                    SetMetadata(path, entry, times: false);
                    SetExtendedAttributes(path, relative, entry, tap);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Remove(path);
                    _limits.CountBytes(entry.Length, relative);
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    SetMetadata(path, entry, times: true);
                    SetExtendedAttributes(path, relative, entry, tap);
                    break;
                case TarEntryType.SymbolicLink:
                    if (string.IsNullOrEmpty(entry.LinkName) || entry.LinkName.Contains('\0', StringComparison.Ordinal))
                    {
                        throw Refused(relative, "is a symbolic link without a target");
                    }

                    // The target is only text here: it is resolved inside the instance, against its own root.
                    Remove(path);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    SetOwner(path, entry);
                    break;
                case TarEntryType.HardLink:
                    var target = Normalize(entry.LinkName, "hard link target") ?? throw Refused(relative, "is a hard link to the root directory");
                    var targetParent = ResolveParent(target, create: false);
                    var targetPath = targetParent is null ? null : Path.Combine(targetParent, target[(target.LastIndexOf('/') + 1)..]);
                    if (targetPath is null || !(File.Exists(targetPath) || IsSymlink(targetPath)) || Directory.Exists(targetPath))
                    {
                        throw Refused(relative, $"is a hard link to '{Show(entry.LinkName)}', which is not a file earlier in the archive");
                    }

                    if (targetPath != path)
                    {
                        Remove(path);
                        FileCalls.HardLink(targetPath, path);
                    }

                    break;
                case TarEntryType.Fifo:
                    Remove(path);
                    FileCalls.MakeFifo(path, 0x180);
                    SetMetadata(path, entry, times: false);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                    Skipped++;
                    continue;
                default:
                    throw Refused(relative, $"has the entry type {entry.EntryType}, which images cannot hold");
            }

            thisLayer.Add(relative);
        }
    }

    /// <summary>
    /// Sets the entry's PAX extended attributes (<c>SCHILY.xattr.NAME</c>, as GNU tar <c>--xattrs</c>, bsdtar and
    /// OCI layer tools write them) on the file itself, after its owner (a chown clears <c>security.capability</c>).
    /// <c>user.*</c>, <c>security.*</c> (file capabilities) and <c>trusted.*</c> are set; other namespaces
    /// (<c>system.*</c> ACLs) and values the file system refuses are left out with a warning, never a failure.
    /// </summary>
    private void SetExtendedAttributes(string path, string relative, TarEntry entry, PaxXattrTap tap)
    {
        if (entry is not PaxTarEntry pax)
        {
            return;
        }

        foreach (var (key, value) in pax.ExtendedAttributes)
        {
            if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = key[XattrPrefix.Length..];
            if (!(name.StartsWith("user.", StringComparison.Ordinal) || name.StartsWith("security.", StringComparison.Ordinal) || name.StartsWith("trusted.", StringComparison.Ordinal))
                || name.Contains('\0', StringComparison.Ordinal))
            {
                Warn($"extended attribute '{Show(name)}' of '{Show(relative)}' skipped: only the user, security and trusted namespaces are set");
                continue;
            }

            // The raw bytes from the PAX header; TarReader's string is UTF-8 decoded and loses binary values.
            var raw = tap.RawValue(name, value) ?? (value.Contains('\uFFFD', StringComparison.Ordinal) ? null : System.Text.Encoding.UTF8.GetBytes(value));
            if (raw is null)
            {
                Warn($"extended attribute '{Show(name)}' of '{Show(relative)}' skipped: its value could not be read from the archive");
                continue;
            }

            var errno = FileCalls.SetExtendedAttribute(path, name, raw);
            if (errno != 0)
            {
                Warn($"extended attribute '{Show(name)}' of '{Show(relative)}' skipped: the node's file system refused it ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");
            }
        }
    }

    private void Warn(string warning)
    {
        if (_warnings.Count < MaxWarnings)
        {
            _warnings.Add(warning);
        }
        else if (++_moreWarnings == 1)
        {
            _warnings.Add("more extended attributes were skipped (only the first warnings are listed)");
        }
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new NodeException($"the archive is not a valid tar archive or is damaged: {ex.Message}", ex);
        }
    }

    private void ApplyWhiteout(string relative, string name, HashSet<string> thisLayer)
    {
        var parent = ResolveParent(relative, create: false);
        if (parent is null || !IsRealDirectory(parent))
        {
            return; // Nothing below to hide.
        }

        if (name == OpaqueWhiteout)
        {
            // Opaque: the directory shows only what this layer puts in it.
            var parentRelative = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.LastIndexOf('/')] + "/" : "";
            foreach (var child in Directory.EnumerateFileSystemEntries(parent))
            {
                if (!thisLayer.Contains(parentRelative + Path.GetFileName(child)))
                {
                    Remove(child);
                }
            }

            return;
        }

        var hidden = name[WhiteoutPrefix.Length..];
        if (hidden.Length == 0 || hidden is "." or "..")
        {
            throw Refused(relative, "is a whiteout of nothing");
        }

        Remove(Path.Combine(parent, hidden));
    }

    /// <summary>
    /// The directory that holds <paramref name="relative"/>, walked component by component from the root: a component
    /// that is a symbolic link is refused (following it could leave the tree); missing ones are created with
    /// <paramref name="create"/>, or null is returned.
    /// </summary>
    private string? ResolveParent(string relative, bool create)
    {
        var current = _root;
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var next = Path.Combine(current, parts[i]);
            if (IsSymlink(next))
            {
                throw Refused(relative, $"goes through the symbolic link '{string.Join('/', parts[..(i + 1)])}'; links are never followed while an image is written");
            }

            if (!Directory.Exists(next))
            {
                if (File.Exists(next))
                {
                    throw Refused(relative, $"is below '{string.Join('/', parts[..(i + 1)])}', which is a file");
                }

                if (!create)
                {
                    return null;
                }

                Directory.CreateDirectory(next);
            }

            current = next;
        }

        return current;
    }

    /// <summary>The entry name as a relative path without <c>.</c> parts; refuses <c>..</c>, absolute paths and NUL; null for the root.</summary>
    private static string? Normalize(string? name, string what)
    {
        if (name is null || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new NodeException($"the archive has an {what} with an invalid name; nothing was imported");
        }

        if (name.StartsWith('/'))
        {
            throw new NodeException($"the archive's {what} '{Show(name)}' is an absolute path; entries must be relative to the image root. Nothing was imported");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw new NodeException($"the archive's {what} '{Show(name)}' contains '..' (path traversal); nothing was imported");
        }

        return parts.Length == 0 ? null : string.Join('/', parts);
    }

    private void SetMetadata(string path, TarEntry entry, bool times)
    {
        SetOwner(path, entry);

        // After chown, which clears setuid and setgid.
        File.SetUnixFileMode(path, entry.Mode);
        if (times)
        {
            File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
        }
    }

    private void SetOwner(string path, TarEntry entry)
    {
        if (_privileged && entry is PosixTarEntry posix)
        {
            FileCalls.SetOwner(path, posix.Uid, posix.Gid);
        }
    }

    private static void Remove(string path)
    {
        if (IsSymlink(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    private static bool IsRealDirectory(string path) => Directory.Exists(path) && !IsSymlink(path);

    private static NodeException Refused(string relative, string why) =>
        new($"the archive's entry '{Show(relative)}' {why}; nothing was imported");

    /// <summary>A name as it may appear in a message: bounded, without control characters.</summary>
    internal static string Show(string name)
    {
        var clean = new string([.. name.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 200 ? clean + "..." : clean;
    }
}
