using System.Data.Common;

namespace Nimbus.Store.Sql;

/// <summary>
/// The commands of one connection, kept by SQL text so that each statement is prepared once and
/// then only re-bound: the SQLite writer runs the same few statements thousands of times a second.
/// Only fixed SQL belongs here, never text built from input.
/// </summary>
internal sealed class SqlCommandCache : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public SqlCommandCache(DbConnection connection)
    {
        Connection = connection;
    }

    public DbConnection Connection { get; }

    /// <summary>The command for <paramref name="sql"/>, without parameters. Do not dispose it.</summary>
    public DbCommand Get(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            return command;
        }

        command = Connection.CreateCommand(sql);
        _commands.Add(sql, command);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        _commands.Clear();
    }
}
