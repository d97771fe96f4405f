namespace Nimbus.Compute.Tests;

/// <summary>What real instances need on the machine. Missing pieces fail the test with the package to install: CI runs as root with them.</summary>
internal static class Prerequisites
{
    public static void RequireRuncHost()
    {
        RequireBusybox();
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("compute instance tests start runc containers and must run as root (CI does)");
        }

        if (!new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc" }.Any(File.Exists))
        {
            throw new InvalidOperationException("runc is not installed: apt-get install runc (./test.sh installs it)");
        }

        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "nimbus-init")))
        {
            throw new InvalidOperationException("nimbus-init was not built next to the tests: apt-get install gcc libc6-dev and build again");
        }
    }

    /// <summary>Instances with a network: iproute2 and nftables (CI installs both through test.sh).</summary>
    public static void RequireNetworkHost()
    {
        RequireRuncHost();
        foreach (var (program, package) in new[] { ("ip", "iproute2"), ("nft", "nftables"), ("curl", "curl") })
        {
            if (!new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Any(d => File.Exists(Path.Combine(d, program))))
            {
                throw new InvalidOperationException($"{program} is not installed: apt-get install {package} (./test.sh installs it)");
            }
        }
    }

    public static void RequireBusybox()
    {
        if (!File.Exists("/bin/busybox"))
        {
            throw new InvalidOperationException("busybox-static is not installed: apt-get install busybox-static (./test.sh installs it)");
        }
    }
}
