using Nimbus.Core.Audit;
using Nimbus.Store.Audit;
using Nimbus.Store.Sqlite;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests.Audit;

/// <summary>The audit log contract on SQLite, in its own file next to an open resource store.</summary>
public sealed class SqliteAuditLogTests : AuditLogContract
{
    private readonly TempDirectory _directory = new();
    private SqliteResourceStore? _store;

    private string DatabasePath => Path.Combine(_directory.Path, "nimbus.db");

    private string AuditPath => Path.Combine(_directory.Path, "nimbus.audit.db");

    protected override IAuditLog CreateLog() => AuditLogFactory.Create(_directory.Path);

    protected override async Task PrepareStorageAsync()
    {
        _store = new SqliteResourceStore(new SqliteStoreOptions { Path = DatabasePath });
        await _store.InitializeAsync(Ct);
    }

    protected override async Task RemoveStorageAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

    // Resource filters match the stored JSON text, so a resource list must be stored exactly as the JSON
    // serializer writes it, whichever way the writer built it.
    [Fact]
    public async Task Stored_resources_are_the_json_serializers_text()
    {
        string[][] lists =
        [
            [],
            ["nrn:nimbus:s3:::bucket/photos/2026/a.jpg"],
            ["nrn:nimbus:s3:::b/ABCxyz019:/._-*=@,;!$()~ %#?[]{}|^"],
            ["nrn:nimbus:s3:::b/needs \"escaping\" \\ < > & ' + ` ñ \u0001"],
            ["nrn:a", "nrn:b"],
        ];
        await Log.AppendAsync([.. lists.Select((list, n) => Event(n) with { Resources = list })], Ct);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={AuditPath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT resources FROM audit_events ORDER BY seq";
        var stored = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                stored.Add(reader.GetString(0));
            }
        }

        stored.ShouldBe(lists.Select(list => System.Text.Json.JsonSerializer.Serialize(list, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.General))));
    }

    [Fact]
    public void The_factory_reads_the_store_setting_like_the_resource_store()
    {
        AuditLogFactory.Create(_directory.Path).ShouldBeOfType<SqliteAuditLog>().DatabasePath.ShouldBe(AuditPath);
        AuditLogFactory.Create("sqlite:" + DatabasePath).ShouldBeOfType<SqliteAuditLog>().DatabasePath.ShouldBe(AuditPath);
        AuditLogFactory.Create("Host=127.0.0.1;Database=nimbus").ShouldBeOfType<PostgresAuditLog>();
        AuditLogFactory.Create("postgres:Host=127.0.0.1").ShouldBeOfType<PostgresAuditLog>();
    }

    [Fact]
    public async Task Records_kept_in_the_resource_store_file_by_an_older_version_move_to_the_audit_file_once()
    {
        // An older layout: the audit table inside nimbus.db itself.
        var legacyDirectory = Path.Combine(_directory.Path, "legacy");
        Directory.CreateDirectory(legacyDirectory);
        var storePath = Path.Combine(legacyDirectory, "nimbus.db");
        await using (var old = new SqliteAuditLog(storePath))
        {
            await old.InitializeAsync(Ct);
            await old.AppendAsync([Event(1), Event(2)], Ct);
        }

        for (var start = 0; start < 2; start++)
        {
            await using var log = AuditLogFactory.Create(legacyDirectory);
            await log.InitializeAsync(Ct);
            var page = await log.QueryAsync(new AuditQuery { PageSize = 10 }, Ct);
            page.Items.Select(e => e.RequestId).ShouldBe(["req-2", "req-1"]);
        }

        await using var store = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + storePath + ";Pooling=False");
        await store.OpenAsync(Ct);
        await using var probe = store.CreateCommand();
        probe.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'audit_events'";
        ((long)(await probe.ExecuteScalarAsync(Ct))!).ShouldBe(0);
    }
}
