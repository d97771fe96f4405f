using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of widgets.</summary>
internal static class WidgetView
{
    public static Table One(ResourceDto widget) => Many([widget]);

    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table Many(IEnumerable<ResourceDto> widgets)
    {
        var table = new Table("ID", "NAME", "PHASE", "COPIES", "MESSAGE", "TAGS", "VERSION", "CREATED");
        foreach (var widget in widgets)
        {
            table.AddRow(
                widget.Id,
                widget.Name,
                widget.Status.Phase,
                SpecField(widget.Spec, "copies"),
                Cells.Text(SpecField(widget.Spec, "message")),
                Cells.Tags(widget.Tags),
                Cells.Number(widget.Version),
                Cells.Time(widget.CreatedAt));
        }

        return table;
    }

    private static string? SpecField(JsonElement spec, string name)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
    }
}
