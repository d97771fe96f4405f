namespace Nimbus.Sdk.Configuration;

/// <summary>Writes secrets the way the AWS CLI and ssh expect: directory 0700, file 0600, replaced atomically.</summary>
internal static class SecureFile
{
    public const UnixFileMode SecretDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode SecretFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        // An existing directory keeps its mode: NIMBUS_CONFIG_DIR may point anywhere, even at a shared one.
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, SecretDirectoryMode);
            File.SetUnixFileMode(directory, SecretDirectoryMode);
        }
    }

    public static void WriteAllText(string path, string contents)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        EnsureDirectory(directory);

        // A temp file created 0600 from the start, then renamed over the target: no reader ever sees a
        // half-written file, and the secret is never readable by others, not even for an instant.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = SecretFileMode;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, SecretFileMode);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
