using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nimbus.Agent.Linux.Netlink;

/// <summary>
/// Named network namespaces as <c>ip netns</c> keeps them (a file under <c>/run/netns</c> with the namespace bind-mounted
/// on it, so it outlives every process), made and entered without a process: <c>unshare(2)</c> and <c>setns(2)</c>
/// act on the calling thread only, so they run on a thread of their own (<see cref="OnOwnThreadAsync{T}"/>) that goes
/// back to the host's namespace before anything else happens on it, and ends. What such a thread leaves behind is an
/// rtnetlink socket bound to the namespace for good, usable from any thread.
/// </summary>
internal static partial class NetworkNamespaces
{
    public const string Directory = "/run/netns";

    private const int CloneNewNet = 0x40000000;
    private const ulong MsBind = 0x1000;
    private const ulong MsRec = 0x4000;
    private const ulong MsShared = 1 << 20;
    private const int MntDetach = 2;
    private const int Einval = 22;
    private const int Eexist = 17;
    private const int Enoent = 2;

    [ThreadStatic]
    private static bool t_ownThread;

    private static int s_directoryShared;

    /// <summary>Runs <paramref name="work"/> on a new thread of its own, on which the calls below may switch namespaces.</summary>
    public static Task<T> OnOwnThreadAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(
            () =>
            {
                t_ownThread = true;
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            },
            maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "nimbus-netns",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Makes a new namespace bound at <paramref name="path"/> (<c>ip netns add</c>) and returns a socket inside it.
    /// Throws <see cref="IOException"/> with errno <see cref="Eexist"/> in its HResult when the name is taken.
    /// </summary>
    public static RtNetlink Create(string path)
    {
        RequireOwnThread();
        ShareDirectory();
        using (var file = OpenFile(path, Flags.ReadOnly | Flags.Create | Flags.Exclusive | Flags.CloseOnExec))
        {
            if (file.IsInvalid)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"creating {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
        }

        using var home = OpenOwnNamespace();
        if (Unshare(CloneNewNet) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Unlink(path);
            throw new IOException($"creating a network namespace failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            var inside = RtNetlink.Open();
            if (Mount("/proc/thread-self/ns/net", path, null, MsBind, null) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                inside.Dispose();
                _ = Unlink(path);
                throw new IOException($"binding the network namespace to {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            return inside;
        }
        finally
        {
            GoBack(home);
        }
    }

    /// <summary>A socket inside the namespace bound at <paramref name="path"/>; null when there is none.</summary>
    public static RtNetlink? Open(string path)
    {
        RequireOwnThread();
        using var target = OpenNamespace(path);
        if (target is null)
        {
            return null;
        }

        using var home = OpenOwnNamespace();
        if (SetNs(target, CloneNewNet) != 0)
        {
            throw new IOException($"entering the network namespace {path} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            return RtNetlink.Open();
        }
        finally
        {
            GoBack(home);
        }
    }

    /// <summary>The namespace bound at <paramref name="path"/>, open (for <c>IFLA_NET_NS_FD</c>); null when there is none.</summary>
    public static SafeFileHandle? OpenNamespace(string path)
    {
        var handle = OpenFile(path, Flags.ReadOnly | Flags.CloseOnExec);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return errno == Enoent ? null : throw new IOException($"opening the network namespace {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return handle;
    }

    /// <summary>Removes a named namespace (<c>ip netns del</c>): its bind mount detached, its file deleted. False when there was none.</summary>
    public static bool Delete(string path)
    {
        _ = Umount2(path, MntDetach);
        if (Unlink(path) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Enoent ? false : throw new IOException($"deleting the network namespace {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return true;
    }

    private static void RequireOwnThread()
    {
        if (!t_ownThread)
        {
            // A pool thread left in another namespace would open the next request's sockets there.
            throw new InvalidOperationException("network namespaces are switched on a thread of their own (NetworkNamespaces.OnOwnThreadAsync)");
        }
    }

    private static SafeFileHandle OpenOwnNamespace()
    {
        var home = OpenFile("/proc/thread-self/ns/net", Flags.ReadOnly | Flags.CloseOnExec);
        if (home.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            home.Dispose();
            throw new IOException($"opening this thread's network namespace failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return home;
    }

    private static void GoBack(SafeFileHandle home)
    {
        if (SetNs(home, CloneNewNet) != 0)
        {
            // The thread must not run anything else: it ends with this exception (see OnOwnThreadAsync).
            t_ownThread = false;
            throw new IOException($"returning to the host's network namespace failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>
    /// As <c>ip netns add</c> does: the directory is a shared mount, so that removing a namespace's bind mount reaches
    /// the copies of it in mount namespaces made meanwhile and the namespace can be freed.
    /// </summary>
    private static void ShareDirectory()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (Volatile.Read(ref s_directoryShared) == 1)
        {
            return;
        }

        if (Mount("", Directory, "none", MsShared | MsRec, null) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Einval || Mount(Directory, Directory, "none", MsBind | MsRec, null) != 0 || Mount("", Directory, "none", MsShared | MsRec, null) != 0)
            {
                throw new IOException($"making {Directory} a shared mount failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }

        Volatile.Write(ref s_directoryShared, 1);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial SafeFileHandle OpenFile(string path, int flags, int mode = 0);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int type);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string source, string target, string? type, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Unlink(string path);

    private static class Flags
    {
        public const int ReadOnly = 0;
        public const int Create = 0x40;
        public const int Exclusive = 0x80;
        public const int CloseOnExec = 0x80000;
    }
}
