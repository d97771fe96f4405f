using System.Data.Common;
using System.Text;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Store.Sql;

/// <summary>The read queries, shared by both engines and by writers reading their own writes.</summary>
internal static class SqlReads
{
    public const int MaxPageSize = 1000;

    public static async Task<Resource?> GetAsync(DbConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT {ResourceRows.Columns} FROM resources WHERE id = @id")
            .With("@id", id);
        return await ReadSingleAsync(command, cancellationToken);
    }

    public static async Task<Resource?> GetByNameAsync(
        DbConnection connection, string account, string kind, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
                $"SELECT {ResourceRows.Columns} FROM resources WHERE account = @account AND kind = @kind AND name = @name")
            .With("@account", account)
            .With("@kind", kind)
            .With("@name", name);
        return await ReadSingleAsync(command, cancellationToken);
    }

    public static async Task<ResourcePage> ListAsync(DbConnection connection, ResourceQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query.Kind))
        {
            throw NimbusException.Invalid("kind", "A list needs the kind of resource to list.");
        }

        var after = PageToken.Decode(query.PageToken);
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);

        var sql = new StringBuilder($"SELECT {ResourceRows.Columns} FROM resources r WHERE r.kind = @kind AND r.pk > @after");
        await using var command = connection.CreateCommand();
        command.With("@kind", query.Kind).With("@after", after);
        if (query.Account is not null)
        {
            sql.Append(" AND r.account = @account");
            command.With("@account", query.Account);
        }

        if (query.Name is not null)
        {
            sql.Append(" AND r.name = @name");
            command.With("@name", query.Name);
        }

        var tag = 0;
        foreach (var (key, value) in query.Tags ?? new Dictionary<string, string>())
        {
            sql.Append($" AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_pk = r.pk AND t.key = @k{tag} AND t.value = @v{tag})");
            command.With($"@k{tag}", key).With($"@v{tag}", value);
            tag++;
        }

        // One row more than the page tells whether another page follows without a COUNT.
        sql.Append(" ORDER BY r.pk LIMIT @limit");
        command.With("@limit", pageSize + 1);
        command.CommandText = sql.ToString();

        var items = new List<Resource>(Math.Min(pageSize, 64));
        long lastKey = 0;
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == pageSize)
            {
                more = true;
                break;
            }

            var (key, resource) = ResourceRows.Read(reader);
            items.Add(resource);
            lastKey = key;
        }

        return new ResourcePage(items, more ? PageToken.Encode(lastKey) : null);
    }

    public static async Task<IReadOnlyList<ChangeEvent>> ReadChangesAsync(
        DbConnection connection, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return [];
        }

        await using var command = connection.CreateCommand(
                $"SELECT {ResourceRows.ChangeColumns} FROM changes WHERE seq > @after ORDER BY seq LIMIT @limit")
            .With("@after", afterSequence)
            .With("@limit", limit);
        var changes = new List<ChangeEvent>(Math.Min(limit, 256));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(ResourceRows.ReadChange(reader));
        }

        return changes;
    }

    public static async Task<long> GetLatestSequenceAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT COALESCE(MAX(seq), 0) FROM changes");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<byte[]?> GetValueAsync(DbConnection connection, string ns, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT value FROM kv WHERE ns = @ns AND key = @key")
            .With("@ns", ns)
            .With("@key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetFieldValue<byte[]>(0) : null;
    }

    public static async Task<bool> PingAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT 1");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private static async Task<Resource?> ReadSingleAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ResourceRows.Read(reader).Resource : null;
    }
}
