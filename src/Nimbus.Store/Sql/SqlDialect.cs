using System.Data.Common;

namespace Nimbus.Store.Sql;

/// <summary>What differs between the engines once the schema exists; the SQL itself is shared.</summary>
internal abstract class SqlDialect
{
    /// <summary>True for a violation of a UNIQUE or PRIMARY KEY constraint.</summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Runs once per transaction before its first change-feed row is inserted.</summary>
    public abstract Task BeforeFirstChangeAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Holds an exclusive lock on a kv key until the transaction ends (see <c>IStoreWriter.LockKeyAsync</c>).</summary>
    public abstract Task LockKeyAsync(DbConnection connection, string ns, string key, CancellationToken cancellationToken);
}
