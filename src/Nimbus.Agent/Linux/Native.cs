using System.Runtime.InteropServices;

namespace Nimbus.Agent.Linux;

/// <summary>The few libc calls that .NET has no API for: signals to a pid, poll/read/write on a terminal, its size, and descriptor passing.</summary>
internal static unsafe partial class Native
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const short PollIn = 0x1;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const short PollNval = 0x20;
    public const int Eintr = 4;
    public const int Eio = 5;
    public const int Eagain = 11;

    private const nuint TiocSWinSz = 0x5414;
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCmsgCloexec = 0x40000000;

    /// <summary>Waits until <paramref name="fd"/> has something to read (or hung up); false after <paramref name="timeoutMs"/>.</summary>
    public static bool WaitReadable(int fd, int timeoutMs, out short events)
    {
        var entry = new PollFd { Fd = fd, Events = PollIn };
        while (true)
        {
            var result = Poll(&entry, 1, timeoutMs);
            if (result < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
                continue;
            }

            if (result < 0)
            {
                throw new IOException($"poll failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            events = entry.Revents;
            return result > 0;
        }
    }

    /// <summary>read(2); -errno on failure.</summary>
    public static int ReadSome(int fd, Span<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            var result = Read(fd, data, (nuint)buffer.Length);
            return result < 0 ? -Marshal.GetLastPInvokeError() : (int)result;
        }
    }

    /// <summary>Writes everything, retrying short writes.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var result = Write(fd, data + done, (nuint)(buffer.Length - done));
                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Eintr or Eagain)
                    {
                        continue;
                    }

                    throw new IOException($"write failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }

                done += (int)result;
            }
        }
    }

    /// <summary>Sets a terminal's size (TIOCSWINSZ); the kernel sends SIGWINCH to its foreground processes.</summary>
    public static void SetWindowSize(int fd, int rows, int columns)
    {
        var size = new WinSize { Rows = (ushort)Math.Clamp(rows, 1, ushort.MaxValue), Columns = (ushort)Math.Clamp(columns, 1, ushort.MaxValue) };
        if (Ioctl(fd, TiocSWinSz, &size) != 0)
        {
            throw new IOException($"setting the terminal size failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>Sends a signal; false when the process is gone.</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>Receives one file descriptor sent with SCM_RIGHTS on a connected Unix socket (how runc hands over a terminal).</summary>
    public static int ReceiveDescriptor(int socket, int timeoutMs)
    {
        if (!WaitReadable(socket, timeoutMs, out _))
        {
            throw new IOException("nothing was sent on the console socket in time");
        }

        var data = stackalloc byte[4096];
        var control = stackalloc byte[64];
        var vector = new IoVec { Base = data, Length = 4096 };
        var message = new MsgHdr { Iov = &vector, IovLen = 1, Control = control, ControlLen = 64 };
        nint received;
        do
        {
            received = RecvMsg(socket, &message, MsgCmsgCloexec);
        }
        while (received < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (received < 0)
        {
            throw new IOException($"recvmsg failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char data[]; }
        if (message.ControlLen < 20 || *(int*)(control + 8) != SolSocket || *(int*)(control + 12) != ScmRights)
        {
            throw new IOException("the console socket carried no file descriptor");
        }

        return *(int*)(control + 16);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, WinSize* size);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public byte* Control;
        public nuint ControlLen;
        public int Flags;
    }
}
