using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of roles and temporary credentials.</summary>
internal static class RoleView
{
    public static Table One(ResourceDto role) => Many([role]);

    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table Credentials(TemporaryCredentialsDto credentials)
    {
        var table = new Table("ACCESS KEY ID", "SECRET ACCESS KEY", "SESSION TOKEN", "EXPIRES", "PRINCIPAL");
        table.AddRow(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, Cells.Time(credentials.Expiration), credentials.Principal);
        return table;
    }

    public static Table Sessions(PageDto<SessionDto> page)
    {
        var table = new Table("ACCESS KEY ID", "SESSION", "SOURCE", "ISSUED", "EXPIRES", "REVOKED");
        foreach (var session in page.Items)
        {
            table.AddRow(session.AccessKeyId, session.SessionName, session.SourcePrincipal, Cells.Time(session.IssuedAt), Cells.Time(session.ExpiresAt), Cells.Time(session.RevokedAt));
        }

        return table;
    }

    public static Table Session(SessionDto session) => Sessions(new PageDto<SessionDto> { Items = [session] });

    private static Table Many(IEnumerable<ResourceDto> roles)
    {
        var table = new Table("ID", "NAME", "MAX SESSION", "POLICIES", "CREATED");
        foreach (var role in roles)
        {
            var spec = role.Spec.ValueKind == JsonValueKind.Object ? role.Spec : default;
            var max = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("maxSessionDurationSeconds", out var m) ? m.GetRawText() + "s" : "-";
            var policies = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("attachedPolicies", out var p) && p.ValueKind == JsonValueKind.Array
                ? string.Join(",", p.EnumerateArray().Select(e => e.GetString()))
                : "";
            table.AddRow(role.Id, role.Name, max, policies.Length == 0 ? "-" : policies, Cells.Time(role.CreatedAt));
        }

        return table;
    }
}
