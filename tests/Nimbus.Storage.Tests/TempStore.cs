using Nimbus.Storage.Engine;
using Nimbus.Testing;

namespace Nimbus.Storage.Tests;

/// <summary>A fresh store layout (data directories and all) in a temporary directory, for tests of the engine's files on their own.</summary>
internal sealed class TempStore : IDisposable
{
    private readonly TempDirectory _directory;

    public TempStore(string name)
    {
        _directory = new TempDirectory(name);
        Layout = new StorageLayout(_directory.Path);
        Layout.Ensure();
    }

    public StorageLayout Layout { get; }

    public void Dispose() => _directory.Dispose();
}
