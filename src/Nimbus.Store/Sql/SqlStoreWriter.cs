using System.Collections.Immutable;
using System.Data.Common;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Store.Sql;

/// <summary>
/// The write operations of one unit of work, on a connection whose transaction (or savepoint) the
/// engine manages. Calls must not overlap: a unit awaits each before starting the next.
/// </summary>
internal sealed class SqlStoreWriter : IStoreWriter
{
    private readonly SqlCommandCache _commands;
    private readonly DbConnection _connection;
    private readonly SqlDialect _dialect;
    private readonly TimeProvider _timeProvider;
    private bool _changeFeedReady;
    private bool _closed;
    private HashSet<string>? _touched;

    public SqlStoreWriter(SqlCommandCache commands, SqlDialect dialect, TimeProvider timeProvider)
    {
        _commands = commands;
        _connection = commands.Connection;
        _dialect = dialect;
        _timeProvider = timeProvider;
    }

    /// <summary>True once the unit changed something (and so appended to the change feed or the kv space).</summary>
    public bool HasWrites { get; private set; }

    /// <summary>Ids of the resources this unit created, changed or deleted.</summary>
    public IReadOnlyCollection<string> TouchedIds => (IReadOnlyCollection<string>?)_touched ?? [];

    /// <summary>Ends the unit: a writer captured by the unit and used later must not write into someone else's transaction.</summary>
    public void Close() => _closed = true;

    public Task<Resource?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        return SqlReads.GetAsync(_connection, id, cancellationToken);
    }

    public Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        return SqlReads.GetByNameAsync(_connection, account, kind, name, cancellationToken);
    }

    public async Task<Resource> CreateAsync(Resource resource, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrEmpty(resource.Id);
        ArgumentException.ThrowIfNullOrEmpty(resource.Kind);
        ArgumentException.ThrowIfNullOrEmpty(resource.Account);
        ArgumentNullException.ThrowIfNull(resource.Name);
        var stored = resource with
        {
            Version = 1,
            Tags = resource.Tags ?? ImmutableSortedDictionary<string, string>.Empty,
            Status = resource.Status ?? ResourceStatus.Pending,
        };

        // ON CONFLICT DO NOTHING reports a taken id or name without aborting the PostgreSQL
        // transaction, so a unit may catch AlreadyExists and carry on, as it can on SQLite.
        var command = _commands.Get(
                "INSERT INTO resources (id, kind, account, region, name, spec, status, tags, version, created_at, updated_at, deletion_requested_at) " +
                "VALUES (@id, @kind, @account, @region, @name, @spec, @status, @tags, 1, @created, @updated, @deletion) " +
                "ON CONFLICT DO NOTHING RETURNING pk")
            .With("@id", stored.Id)
            .With("@kind", stored.Kind)
            .With("@account", stored.Account)
            .With("@region", stored.Region)
            .With("@name", stored.Name)
            .With("@spec", StoreJson.WriteSpec(stored.Spec))
            .With("@status", StoreJson.WriteStatus(stored.Status))
            .With("@tags", StoreJson.WriteTags(stored.Tags))
            .With("@created", StoreTime.ToTicks(stored.CreatedAt))
            .With("@updated", StoreTime.ToTicks(stored.UpdatedAt))
            .With("@deletion", StoreTime.ToTicksOrNull(stored.DeletionRequestedAt));
        var key = await command.ExecuteScalarAsync(cancellationToken);
        if (key is null or DBNull)
        {
            throw await SqlReads.GetAsync(_connection, stored.Id, cancellationToken) is null
                ? NameTaken(stored)
                : NimbusException.AlreadyExists($"Resource {stored.Id}");
        }

        await InsertTagsAsync(Convert.ToInt64(key, System.Globalization.CultureInfo.InvariantCulture), stored.Tags, cancellationToken);
        await AppendChangeAsync(stored.Id, stored.Kind, stored.Account, ChangeType.Created, 1, stored.UpdatedAt, cancellationToken);
        return stored;
    }

    public async Task<Resource> UpdateAsync(Resource resource, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(resource.Name);
        var tags = resource.Tags ?? ImmutableSortedDictionary<string, string>.Empty;
        var command = _commands.Get(
                "UPDATE resources SET name = @name, tags = @tags, spec = @spec, deletion_requested_at = @deletion, " +
                "updated_at = @updated, version = version + 1 " +
                $"WHERE id = @id AND version = @version RETURNING {ResourceRows.Columns}")
            .With("@name", resource.Name)
            .With("@tags", StoreJson.WriteTags(tags))
            .With("@spec", StoreJson.WriteSpec(resource.Spec))
            .With("@deletion", StoreTime.ToTicksOrNull(resource.DeletionRequestedAt))
            .With("@updated", StoreTime.ToTicks(resource.UpdatedAt))
            .With("@id", resource.Id)
            .With("@version", resource.Version);

        (long Key, Resource Resource)? row;
        try
        {
            row = await ReadReturnedAsync(command, cancellationToken);
        }
        catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
        {
            // Only (account, kind, name) can collide here. On PostgreSQL this has aborted the
            // transaction, so the unit cannot go on writing after catching it.
            throw NameTaken(resource);
        }

        if (row is not { } updated)
        {
            throw await MissingOrConflictAsync(resource.Id, resource.Version, cancellationToken);
        }

        await _commands.Get("DELETE FROM resource_tags WHERE resource_pk = @pk").With("@pk", updated.Key).ExecuteNonQueryAsync(cancellationToken);

        await InsertTagsAsync(updated.Key, tags, cancellationToken);
        var stored = updated.Resource;
        await AppendChangeAsync(stored.Id, stored.Kind, stored.Account, ChangeType.Updated, stored.Version, stored.UpdatedAt, cancellationToken);
        return stored;
    }

    public async Task<Resource> UpdateStatusAsync(string id, long expectedVersion, ResourceStatus status, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(status);
        var command = _commands.Get(
                $"UPDATE resources SET status = @status WHERE id = @id AND version = @version RETURNING {ResourceRows.Columns}")
            .With("@status", StoreJson.WriteStatus(status))
            .With("@id", id)
            .With("@version", expectedVersion);
        if (await ReadReturnedAsync(command, cancellationToken) is not { } row)
        {
            throw await MissingOrConflictAsync(id, expectedVersion, cancellationToken);
        }

        var stored = row.Resource;

        // A status write has no caller-given time (UpdatedAt is the last spec write), so the feed
        // entry takes the injected clock: the one clock read in the store.
        await AppendChangeAsync(id, stored.Kind, stored.Account, ChangeType.StatusUpdated, stored.Version, _timeProvider.GetUtcNow(), cancellationToken);
        return stored;
    }

    public async Task DeleteAsync(string id, long? expectedVersion, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var sql = "DELETE FROM resources WHERE id = @id" + (expectedVersion is null ? string.Empty : " AND version = @version") +
            " RETURNING kind, account, version";
        var command = _commands.Get(sql).With("@id", id);
        if (expectedVersion is { } version)
        {
            command.With("@version", version);
        }

        (string Kind, string Account, long Version)? deleted = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                deleted = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
            }
        }

        // The reader must be closed before another command runs on the connection (Npgsql).
        if (deleted is not var (kind, account, deletedVersion))
        {
            throw expectedVersion is { } expected
                ? await MissingOrConflictAsync(id, expected, cancellationToken)
                : NimbusException.NotFound($"Resource {id}");
        }

        // resource_tags rows go with ON DELETE CASCADE.
        await AppendChangeAsync(id, kind, account, ChangeType.Deleted, deletedVersion, _timeProvider.GetUtcNow(), cancellationToken);
    }

    public Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        return SqlReads.GetValueAsync(_connection, ns, key, cancellationToken);
    }

    public Task LockKeyAsync(string ns, string key, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        return _dialect.LockKeyAsync(_connection, ns, key, cancellationToken);
    }

    public async Task PutValueAsync(string ns, string key, byte[] value, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(value);
        var command = _commands.Get(
                "INSERT INTO kv (ns, key, value) VALUES (@ns, @key, @value) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value")
            .With("@ns", ns)
            .With("@key", key)
            .With("@value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
        HasWrites = true;
    }

    public async Task<bool> TryAddValueAsync(string ns, string key, byte[] value, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(value);
        var command = _commands.Get(
                "INSERT INTO kv (ns, key, value) VALUES (@ns, @key, @value) ON CONFLICT (ns, key) DO NOTHING")
            .With("@ns", ns)
            .With("@key", key)
            .With("@value", value);
        var added = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        HasWrites |= added;
        return added;
    }

    public async Task<bool> DeleteValueAsync(string ns, string key, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var command = _commands.Get("DELETE FROM kv WHERE ns = @ns AND key = @key")
            .With("@ns", ns)
            .With("@key", key);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        HasWrites |= deleted;
        return deleted;
    }

    private static NimbusException NameTaken(Resource resource) =>
        NimbusException.AlreadyExists($"A {resource.Kind} named '{resource.Name}' in account {resource.Account}");

    private static async Task<(long Key, Resource Resource)?> ReadReturnedAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ResourceRows.Read(reader) : null;
    }

    private async Task<NimbusException> MissingOrConflictAsync(string id, long expectedVersion, CancellationToken cancellationToken)
    {
        var command = _commands.Get("SELECT version FROM resources WHERE id = @id").With("@id", id);
        var actual = await command.ExecuteScalarAsync(cancellationToken);
        return actual is null or DBNull
            ? NimbusException.NotFound($"Resource {id}")
            : NimbusException.VersionConflict(id, expectedVersion, Convert.ToInt64(actual, System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task InsertTagsAsync(long key, ImmutableSortedDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        // One prepared single-row insert per tag: resources carry a handful of tags, and a
        // multi-row statement would be new SQL (a new prepare) for every tag count.
        foreach (var (tagKey, tagValue) in tags)
        {
            await _commands.Get("INSERT INTO resource_tags (resource_pk, key, value) VALUES (@pk, @key, @value)")
                .With("@pk", key)
                .With("@key", tagKey)
                .With("@value", tagValue)
                .ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task AppendChangeAsync(
        string id, string kind, string account, ChangeType type, long version, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_changeFeedReady)
        {
            await _dialect.BeforeFirstChangeAsync(_connection, cancellationToken);
            _changeFeedReady = true;
        }

        var command = _commands.Get(
                "INSERT INTO changes (resource_id, kind, account, type, version, at) VALUES (@id, @kind, @account, @type, @version, @at)")
            .With("@id", id)
            .With("@kind", kind)
            .With("@account", account)
            .With("@type", (long)type)
            .With("@version", version)
            .With("@at", StoreTime.ToTicks(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
        HasWrites = true;
        (_touched ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("This IStoreWriter belongs to a unit of work that has ended.");
        }
    }
}
