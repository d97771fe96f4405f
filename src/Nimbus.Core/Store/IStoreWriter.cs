using Nimbus.Core.Resources;

namespace Nimbus.Core.Store;

/// <summary>Operations available inside one write transaction. Reads see the transaction's own writes.</summary>
public interface IStoreWriter
{
    Task<Resource?> GetAsync(string id, CancellationToken cancellationToken);

    Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts <paramref name="resource"/> with version 1 and returns what was stored.
    /// Throws <c>AlreadyExists</c> (409) when the id, or the name within account and kind, is taken.
    /// </summary>
    Task<Resource> CreateAsync(Resource resource, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces name, tags, spec and <see cref="Resource.DeletionRequestedAt"/> of the resource with
    /// <paramref name="resource"/>.Id, if its stored version equals <paramref name="resource"/>.Version;
    /// stores and returns it with version + 1 and <see cref="Resource.UpdatedAt"/> set to
    /// <paramref name="resource"/>.UpdatedAt. Throws <c>NotFound</c> or <c>VersionConflict</c> (409).
    /// </summary>
    Task<Resource> UpdateAsync(Resource resource, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the status of resource <paramref name="id"/> if its version still equals
    /// <paramref name="expectedVersion"/>; the version does not change. Throws <c>NotFound</c> or <c>VersionConflict</c>.
    /// </summary>
    Task<Resource> UpdateStatusAsync(string id, long expectedVersion, ResourceStatus status, CancellationToken cancellationToken);

    /// <summary>Removes the resource; when <paramref name="expectedVersion"/> is given it must match. Throws <c>NotFound</c> or <c>VersionConflict</c>.</summary>
    Task DeleteAsync(string id, long? expectedVersion, CancellationToken cancellationToken);

    Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Holds an exclusive lock on <paramref name="key"/> of <paramref name="ns"/> (present or not) until the unit
    /// ends, so that a read-modify-write of a value (a counter) is serialized with every other unit that locks
    /// the same key. SQLite runs units one at a time and needs nothing; PostgreSQL runs them concurrently
    /// under READ COMMITTED, where two units could otherwise both read the old value. Take such locks before
    /// creating, updating or deleting resources: every resource write takes the change-feed lock, and a
    /// consistent order keeps units from deadlocking.
    /// </summary>
    Task LockKeyAsync(string ns, string key, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a value.</summary>
    Task PutValueAsync(string ns, string key, byte[] value, CancellationToken cancellationToken);

    /// <summary>Inserts a value only if the key is absent; returns false (and writes nothing) when present.</summary>
    Task<bool> TryAddValueAsync(string ns, string key, byte[] value, CancellationToken cancellationToken);

    Task<bool> DeleteValueAsync(string ns, string key, CancellationToken cancellationToken);
}
