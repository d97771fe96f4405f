using Nimbus.Cli.Output;

namespace Nimbus.Cli.Views;

/// <summary>Table of <c>nimbus storage ls</c>: prefixes first (<c>PRE</c>), then objects.</summary>
internal static class ObjectView
{
    public static Table Listing(ObjectListing listing)
    {
        var table = new Table("MODIFIED", "SIZE", "KEY");
        foreach (var prefix in listing.Prefixes)
        {
            table.AddRow(null, "PRE", prefix);
        }

        foreach (var item in listing.Objects)
        {
            table.AddRow(Cells.Time(item.LastModified), Cells.Number(item.Size), item.Key);
        }

        return table;
    }
}
