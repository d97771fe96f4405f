using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of buckets.</summary>
internal static class BucketView
{
    public static Table One(ResourceDto bucket) => Many([bucket]);

    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table Versioning(VersioningState state) => new Table("BUCKET", "VERSIONING").AddRow(state.Bucket, state.Status);

    private static Table Many(IEnumerable<ResourceDto> buckets)
    {
        var table = new Table("NAME", "REGION", "OBJECTS", "BYTES", "VERSIONING", "TAGS", "CREATED");
        foreach (var bucket in buckets)
        {
            table.AddRow(
                bucket.Name,
                Field(bucket.Spec, "region"),
                Detail(bucket, "objects"),
                Detail(bucket, "bytes"),
                Field(bucket.Spec, "versioning") ?? "Disabled",
                Cells.Tags(bucket.Tags),
                Cells.Time(bucket.CreatedAt));
        }

        return table;
    }

    private static string? Field(JsonElement spec, string name) =>
        spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Detail(ResourceDto bucket, string name) =>
        bucket.Status.Details is { ValueKind: JsonValueKind.Object } details && details.TryGetProperty(name, out var value) ? value.GetRawText() : null;
}
