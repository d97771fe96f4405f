using Nimbus.Cli.Output;
using Nimbus.Contracts.Quotas;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of quotas.</summary>
internal static class QuotaView
{
    public static Table List(QuotaListDto list) => Many(list.Items);

    public static Table One(QuotaDto quota) => Many([quota]);

    public static Table Many(IEnumerable<QuotaDto> quotas)
    {
        var table = new Table("CODE", "USAGE", "LIMIT", "DEFAULT", "UNIT", "SCOPE", "DESCRIPTION");
        foreach (var quota in quotas)
        {
            table.AddRow(
                quota.Code,
                quota.Usage is { } usage ? Cells.Number(usage) : "-",
                Cells.Number(quota.Limit) + (quota.IsOverridden ? "*" : ""),
                Cells.Number(quota.DefaultLimit),
                quota.Unit,
                quota.Scope,
                quota.Description);
        }

        return table;
    }
}
