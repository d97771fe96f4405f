using System.Runtime.Versioning;

// Nimbus runs on Linux (runc, nftables, loop devices); file-mode assertions need a Unix file system.
[assembly: SupportedOSPlatform("linux")]
