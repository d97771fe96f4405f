using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The durability syscalls .NET does not expose: <c>fdatasync</c> on an open file and <c>fsync</c> on a
/// directory (a rename is durable only once its directory is synced).
/// </summary>
internal static partial class NativeIo
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux (x86-64 and arm64)
    private const int CloseOnExec = 0x80000;

    /// <summary>Flushes a file's data (and the size) to stable storage.</summary>
    public static void SyncData(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (FDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Starts writeback of a file range without waiting for it (<c>sync_file_range</c> with
    /// <c>SYNC_FILE_RANGE_WRITE</c>). No durability promise: it only lets the disk work while the rest of a large
    /// upload arrives, so that the final <see cref="SyncData"/> has little left to write. Failures are ignored
    /// (the final sync reports real I/O errors).
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long length)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens a file read-only with one <c>open</c> (and, when <paramref name="sequential"/>, a
    /// <c>posix_fadvise(SEQUENTIAL)</c> for a larger read-ahead window). No <c>fstat</c> and no advisory lock, unlike
    /// <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeFileHandle OpenForRead(string path, bool sequential)
    {
        var fd = Open(path, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == NoSuchFile
                ? new FileNotFoundException($"open({path}) failed: no such file", path)
                : new IOException($"open({path}) failed: errno {errno}");
        }

        if (sequential)
        {
            _ = FAdvise(fd, 0, 0, AdviseSequential);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Flushes a directory's entries (created, renamed, removed names) to stable storage.</summary>
    public static void SyncDirectory(string path)
    {
        var fd = Open(path, ReadOnly | Directory | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"open({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"fsync({path}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    private const int NoSuchFile = 2; // ENOENT

    private const int AdviseSequential = 2; // POSIX_FADV_SEQUENTIAL

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int FAdvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
