using System.Security.Cryptography;

namespace Nimbus.Server.Hosting;

/// <summary>The data directory (0700) and its master key (0600), which encrypts secrets at rest.</summary>
public static class DataDirectory
{
    public const string MasterKeyFileName = "master.key";

    public static void Ensure(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static byte[] LoadOrCreateMasterKey(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, MasterKeyFileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length != 32)
            {
                throw new InvalidOperationException($"{path} is damaged: it must hold 32 bytes. Restore it from backup; without it stored secrets cannot be read.");
            }

            return existing;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var stream = new FileStream(path, options))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }

        return key;
    }
}
