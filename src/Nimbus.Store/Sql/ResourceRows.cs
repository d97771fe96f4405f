using System.Data.Common;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Store.Sql;

/// <summary>Maps rows of <c>resources</c> and <c>changes</c>; the column lists and the readers stay side by side.</summary>
internal static class ResourceRows
{
    public const string Columns =
        "pk, id, kind, account, region, name, spec, status, tags, version, created_at, updated_at, deletion_requested_at";

    public const string ChangeColumns = "seq, resource_id, kind, account, type, version, at";

    public static (long Key, Resource Resource) Read(DbDataReader reader)
    {
        var resource = new Resource
        {
            Id = reader.GetString(1),
            Kind = reader.GetString(2),
            Account = reader.GetString(3),
            Region = reader.GetString(4),
            Name = reader.GetString(5),
            Spec = StoreJson.ReadSpec(reader.GetString(6)),
            Status = StoreJson.ReadStatus(reader.GetString(7)),
            Tags = StoreJson.ReadTags(reader.GetString(8)),
            Version = reader.GetInt64(9),
            CreatedAt = StoreTime.FromTicks(reader.GetInt64(10)),
            UpdatedAt = StoreTime.FromTicks(reader.GetInt64(11)),
            DeletionRequestedAt = reader.IsDBNull(12) ? null : StoreTime.FromTicks(reader.GetInt64(12)),
        };
        return (reader.GetInt64(0), resource);
    }

    public static ChangeEvent ReadChange(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        (ChangeType)reader.GetInt64(4),
        reader.GetInt64(5),
        StoreTime.FromTicks(reader.GetInt64(6)));
}
