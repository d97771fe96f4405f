using System.Data.Common;
using Npgsql;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Postgres;

internal sealed class PostgresDialect : SqlDialect
{
    /// <summary>Advisory lock key that orders change-feed inserts ("NIMBCHNG").</summary>
    public const long ChangeFeedLock = 0x4E494D4243484E47;

    /// <summary>Advisory lock key held while migrating the schema ("NIMBSCHM").</summary>
    public const long SchemaLock = 0x4E494D425343484D;

    /// <summary>First half of the two-int advisory locks on kv keys ("NIMK"); that key space never overlaps the bigint one above.</summary>
    public const int KeyLockClass = 0x4E494D4B;

    public static PostgresDialect Instance { get; } = new();

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// A bigserial value is drawn at insert time, not at commit, so two transactions can commit
    /// their change rows out of sequence order and a feed reader that already moved past the
    /// higher one would never see the lower. Holding this lock from the first change row until
    /// commit makes sequence order equal commit order. Writers that touch only the kv space never take it.
    /// </summary>
    public override async Task BeforeFirstChangeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT pg_advisory_xact_lock({ChangeFeedLock})");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A hash collision between two keys only serializes units that needed no ordering; it never lets one pass.</summary>
    public override async Task LockKeyAsync(DbConnection connection, string ns, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT pg_advisory_xact_lock({KeyLockClass}, hashtext(@name))")
            .With("@name", ns + "\n" + key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
