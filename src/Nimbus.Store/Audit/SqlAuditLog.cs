using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nimbus.Core.Audit;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Audit;

/// <summary>
/// The SQL both engines share: one <c>audit_events</c> table, appended to in batches and read newest
/// first with keyset pagination on (time, seq). Engines supply connections, the DDL and the
/// substring function. Times are UTC ticks, as in the resource store.
/// </summary>
public abstract class SqlAuditLog : IAuditLog
{
    /// <summary>Every column of <c>audit_events</c>, in the order reads expect.</summary>
    protected const string Columns =
        "seq, time, request_id, account, principal, user_name, session_name, access_key_id, source_ip, user_agent, " +
        "method, path, action, resources, outcome, status, error_code, request_parameters";

    /// <summary>The start of every insert: the written columns (all but <c>seq</c>), then <c>VALUES</c>.</summary>
    protected const string InsertInto =
        "INSERT INTO audit_events (time, request_id, account, principal, user_name, session_name, access_key_id, source_ip, user_agent, " +
        "method, path, action, resources, outcome, status, error_code, request_parameters) VALUES ";

    private const string Insert = InsertInto +
        "(@time, @request_id, @account, @principal, @user_name, @session_name, @access_key_id, @source_ip, @user_agent, " +
        "@method, @path, @action, @resources, @outcome, @status, @error_code, @request_parameters)";

    /// <summary>DDL creating the table and indexes if missing; must be idempotent.</summary>
    protected abstract string SchemaSql { get; }

    /// <summary>Name of the engine's "position of substring" function (<c>instr</c>, <c>strpos</c>).</summary>
    protected abstract string PositionFunction { get; }

    /// <summary>Opens a connection that may write.</summary>
    protected abstract ValueTask<DbConnection> OpenWriterAsync(CancellationToken cancellationToken);

    /// <summary>Opens a connection for reading.</summary>
    protected abstract ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken);

    /// <summary>Returns a connection from <see cref="OpenWriterAsync"/>.</summary>
    protected abstract ValueTask ReleaseWriterAsync(DbConnection connection);

    /// <summary>Begins the transaction of one batch.</summary>
    protected virtual ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(cancellationToken);

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(SchemaSql, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseWriterAsync(connection).ConfigureAwait(false);
        }
    }

    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var connection = await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
            await InsertAsync(connection, transaction, events, cancellationToken).ConfigureAwait(false);

            // A batch is committed whatever the caller's token says by now: a half-known outcome would
            // make the writer retry and store the batch twice.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseWriterAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts the rows of one batch inside its transaction; engines may override with a faster path.</summary>
    protected virtual async Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(Insert);
        command.Transaction = transaction;
        foreach (var e in events)
        {
            command.Parameters.Clear();
            command.With("@time", e.Time.UtcTicks)
                .With("@request_id", e.RequestId)
                .With("@account", e.Account)
                .With("@principal", e.Principal)
                .With("@user_name", e.UserName)
                .With("@session_name", e.SessionName)
                .With("@access_key_id", e.AccessKeyId)
                .With("@source_ip", e.SourceIp)
                .With("@user_agent", e.UserAgent)
                .With("@method", e.Method)
                .With("@path", e.Path)
                .With("@action", e.Action)
                .With("@resources", ResourcesJson(e))
                .With("@outcome", e.Outcome)
                .With("@status", (long)e.Status)
                .With("@error_code", e.ErrorCode)
                .With("@request_parameters", e.RequestParameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The stored form of a record's resources: a JSON array of strings.</summary>
    protected static string ResourcesJson(AuditEvent e) => e.Resources switch
    {
        { Count: 0 } => "[]",
        // The usual record names one resource (an ARN-like name of letters, digits and punctuation no JSON
        // encoder escapes): built directly, the same text the serializer writes, without its allocations.
        [var only] when only.AsSpan().IndexOfAnyExcept(PlainJsonCharacters) < 0 => string.Concat("[\"", only, "\"]"),
        _ => JsonSerializer.Serialize(e.Resources, AuditStoreJson.Options),
    };

    // Characters every JSON encoder writes as themselves (not '"', '\\', '<', '>', '&', '\'', '+', '`', controls or non-ASCII).
    private static readonly SearchValues<char> PlainJsonCharacters = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/._-*=@,;!$()~ %#?[]{}|^");

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        var after = AuditPageToken.Decode(query.PageToken);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("");
        var where = new List<string>();
        if (query.Account is not null)
        {
            where.Add("account = @account");
            command.With("@account", query.Account);
        }

        if (query.Since is { } since)
        {
            where.Add("time >= @since");
            command.With("@since", since.UtcTicks);
        }

        if (query.Until is { } until)
        {
            where.Add("time < @until");
            command.With("@until", until.UtcTicks);
        }

        if (!string.IsNullOrEmpty(query.Principal))
        {
            where.Add(query.Principal.Contains(':', StringComparison.Ordinal) ? "principal = @principal" : "user_name = @principal");
            command.With("@principal", query.Principal);
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            if (query.Action.EndsWith('*'))
            {
                var prefix = query.Action[..^1];
                where.Add("substr(action, 1, @action_length) = @action");
                command.With("@action_length", prefix.Length).With("@action", prefix);
            }
            else
            {
                where.Add("action = @action");
                command.With("@action", query.Action);
            }
        }

        if (!string.IsNullOrEmpty(query.Resource))
        {
            // Resources are a JSON array of strings: an exact element match is its quoted JSON form.
            where.Add($"{PositionFunction}(resources, @resource) > 0");
            command.With("@resource", JsonSerializer.Serialize(query.Resource, AuditStoreJson.Options));
        }

        if (!string.IsNullOrEmpty(query.Outcome))
        {
            where.Add("outcome = @outcome");
            command.With("@outcome", query.Outcome);
        }

        if (after is { } token)
        {
            where.Add("(time < @after_time OR (time = @after_time AND seq < @after_seq))");
            command.With("@after_time", token.TimeTicks).With("@after_seq", token.Sequence);
        }

        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM audit_events");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY time DESC, seq DESC LIMIT {query.PageSize + 1}");
        command.CommandText = sql.ToString();

        var items = new List<AuditEvent>(Math.Min(query.PageSize + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(Read(reader));
            }
        }

        string? next = null;
        if (items.Count > query.PageSize)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = AuditPageToken.Encode(last.Time.UtcTicks, last.Sequence);
        }

        return new AuditPage(items, next);
    }

    public async Task<long> PruneOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var connection = await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand("DELETE FROM audit_events WHERE time < @cutoff").With("@cutoff", cutoff.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseWriterAsync(connection).ConfigureAwait(false);
        }
    }

    public abstract ValueTask DisposeAsync();

    private static AuditEvent Read(DbDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        Time = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
        RequestId = reader.GetString(2),
        Account = NullableString(reader, 3),
        Principal = NullableString(reader, 4),
        UserName = NullableString(reader, 5),
        SessionName = NullableString(reader, 6),
        AccessKeyId = NullableString(reader, 7),
        SourceIp = NullableString(reader, 8),
        UserAgent = NullableString(reader, 9),
        Method = reader.GetString(10),
        Path = reader.GetString(11),
        Action = NullableString(reader, 12),
        Resources = JsonSerializer.Deserialize<string[]>(reader.GetString(13), AuditStoreJson.Options) ?? [],
        Outcome = reader.GetString(14),
        Status = (int)reader.GetInt64(15),
        ErrorCode = NullableString(reader, 16),
        RequestParameters = NullableString(reader, 17),
    };

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
