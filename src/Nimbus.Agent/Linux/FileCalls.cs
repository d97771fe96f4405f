using System.Runtime.InteropServices;

namespace Nimbus.Agent.Linux;

/// <summary>File-system calls the BCL does not offer: ownership without following links, hard links, FIFOs, extended attributes.</summary>
internal static partial class FileCalls
{
    /// <summary>Sets owner and group of <paramref name="path"/> itself (a link is not followed).</summary>
    public static void SetOwner(string path, int uid, int gid)
    {
        if (Lchown(path, uid, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"lchown {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>Creates <paramref name="path"/> as a hard link of <paramref name="existing"/> (a link at <paramref name="existing"/> is linked itself, not followed).</summary>
    public static void HardLink(string existing, string path)
    {
        if (Link(existing, path) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"link {path} to {existing} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    public static void MakeFifo(string path, int mode)
    {
        if (Mkfifo(path, (uint)mode) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>Sets the extended attribute <paramref name="name"/> of <paramref name="path"/> itself (a link is not followed); 0 or the errno.</summary>
    public static unsafe int SetExtendedAttribute(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* bytes = value)
        {
            return Lsetxattr(path, name, bytes, (nuint)value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>The value of extended attribute <paramref name="name"/> of <paramref name="path"/> itself; null when it has none.</summary>
    public static unsafe byte[]? GetExtendedAttribute(string path, string name)
    {
        var buffer = new byte[64 * 1024];
        fixed (byte* bytes = buffer)
        {
            var length = Lgetxattr(path, name, bytes, (nuint)buffer.Length);
            return length < 0 ? null : buffer[..(int)length];
        }
    }

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint Lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lchown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string path);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mkfifo(string path, uint mode);
}
