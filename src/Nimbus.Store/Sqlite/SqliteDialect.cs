using System.Data.Common;
using Microsoft.Data.Sqlite;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Sqlite;

internal sealed class SqliteDialect : SqlDialect
{
    // https://www.sqlite.org/rescode.html: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;

    public static SqliteDialect Instance { get; } = new();

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey };

    // One writer connection runs every write in commit order, so AUTOINCREMENT sequences are
    // already commit-ordered.
    public override Task BeforeFirstChangeAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    // The single writer connection runs one unit at a time (BEGIN IMMEDIATE, savepoint per unit): already serialized.
    public override Task LockKeyAsync(DbConnection connection, string ns, string key, CancellationToken cancellationToken) => Task.CompletedTask;
}
