namespace Nimbus.Storage.Engine;

/// <summary>
/// Where object storage keeps things under its directory: <c>index.db</c> (SQLite, WAL) and
/// <c>data/xx/&lt;id&gt;</c> for data files (256 fan-out directories by the id's first byte), written once, under
/// their final name, by the upload that creates them; only the index makes one part of an object. <c>tmp/</c>
/// held uploads in flight before they were written in place; start-up still empties it. Object keys never become
/// paths: files are named by random ids.
/// </summary>
internal sealed class StorageLayout
{
    /// <summary>Checksummed block size: a GET reads and verifies whole blocks of this many bytes.</summary>
    public const int BlockSize = 1024 * 1024;

    public StorageLayout(string root)
    {
        Root = Path.GetFullPath(root);
        TempDirectory = Path.Combine(Root, "tmp");
        DataDirectory = Path.Combine(Root, "data");
        IndexPath = Path.Combine(Root, "index.db");
    }

    public string Root { get; }

    public string TempDirectory { get; }

    public string DataDirectory { get; }

    public string IndexPath { get; }

    public void Ensure()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(TempDirectory);
        Directory.CreateDirectory(DataDirectory);
        for (var i = 0; i < 256; i++)
        {
            Directory.CreateDirectory(Path.Combine(DataDirectory, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        NativeIo.SyncDirectory(DataDirectory);
        NativeIo.SyncDirectory(Root);
    }

    public string DirectoryOf(DataId id) => Path.Combine(DataDirectory, id.ToString()[..2]);

    public string PathOf(DataId id)
    {
        var name = id.ToString();
        return Path.Combine(DataDirectory, name[..2], name);
    }
}
