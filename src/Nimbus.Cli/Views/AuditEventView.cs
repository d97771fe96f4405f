using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of audit events.</summary>
internal static class AuditEventView
{
    public static Table Page(PageDto<AuditEventDto> page)
    {
        var table = new Table("TIME", "PRINCIPAL", "ACTION", "OUTCOME", "STATUS", "ERROR", "SOURCE IP", "REQUEST ID");
        foreach (var e in page.Items)
        {
            table.AddRow(
                Cells.Time(e.Time),
                Cells.Text(e.UserName ?? e.Principal ?? (e.AccessKeyId is null ? null : "key " + e.AccessKeyId)),
                Cells.Text(e.Action ?? e.Method + " " + e.Path),
                e.Outcome,
                e.Status.ToString(CultureInfo.InvariantCulture),
                Cells.Text(e.ErrorCode),
                Cells.Text(e.SourceIp),
                e.RequestId);
        }

        return table;
    }
}
