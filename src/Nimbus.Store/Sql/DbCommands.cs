using System.Data.Common;

namespace Nimbus.Store.Sql;

internal static class DbCommands
{
    public static DbCommand CreateCommand(this DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static async Task ExecuteAsync(this DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
