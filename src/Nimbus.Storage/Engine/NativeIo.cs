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
    private const int WriteOnly = 1;
    private const int Create = 0x40;
    private const int Exclusive = 0x80;
    private const int CloseOnExec = 0x80000;

    // O_DIRECTORY and O_DIRECT differ between Linux architectures: arm64 swaps the values x86-64 uses.
    private static readonly bool s_arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
    private static readonly int Directory = s_arm64 ? 0x4000 : 0x10000;
    private static readonly int DirectIo = s_arm64 ? 0x10000 : 0x4000;

    /// <summary>The alignment <c>O_DIRECT</c> asks of buffers, file offsets and lengths (the page size; any disk's logical block divides it).</summary>
    public const int DirectAlignment = 4096;

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

    /// <summary>
    /// Creates a new file (it must not exist) for writing with <c>O_DIRECT</c>, its space reserved for
    /// <paramref name="length"/> bytes, or returns null where the file system does not take <c>O_DIRECT</c> (tmpfs, some
    /// overlays) or the architecture's flag value is unknown. Writes through the handle must use buffers, offsets and
    /// lengths aligned to <see cref="DirectAlignment"/>.
    /// </summary>
    /// <exception cref="IOException">The file could not be created, or no space is left for it.</exception>
    public static SafeFileHandle? TryCreateDirect(string path, long length)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        var fd = Open(path, WriteOnly | Create | Exclusive | CloseOnExec | DirectIo, 0x1A4); // 0644, as File.OpenHandle makes the other data files
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == InvalidArgument ? null : throw new IOException($"open({path}) failed: errno {errno}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var failed = FAllocate(fd, 0, length);
        if (failed == NoSpace)
        {
            handle.Dispose();
            File.Delete(path);
            throw new IOException($"No space left on the device for {length} bytes.");
        }

        // Another failure (EOPNOTSUPP) only means no reservation: the writes allocate.
        return handle;
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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    private const int InvalidArgument = 22; // EINVAL
    private const int NoSpace = 28; // ENOSPC

    /// <summary><c>posix_fallocate</c>: returns 0 or the error number (it does not set errno).</summary>
    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    private static partial int FAllocate(int fd, long offset, long length);

    private const int NoSuchFile = 2; // ENOENT

    private const int AdviseSequential = 2; // POSIX_FADV_SEQUENTIAL

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int FAdvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
