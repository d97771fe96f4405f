using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of access keys.</summary>
internal static class AccessKeyView
{
    public static Table One(AccessKeyDto key) => Many([key]);

    public static Table Page(PageDto<AccessKeyDto> page) => Many(page.Items);

    public static Table Many(IEnumerable<AccessKeyDto> keys)
    {
        var table = new Table("ACCESS KEY ID", "USER", "STATE", "CREATED", "LAST USED");
        foreach (var key in keys)
        {
            table.AddRow(key.AccessKeyId, key.UserName, key.State, Cells.Time(key.CreatedAt), key.LastUsedAt is null ? "never" : Cells.Time(key.LastUsedAt));
        }

        return table;
    }

    public static Table Created(CreateAccessKeyResponse created) =>
        new Table("ACCESS KEY ID", "USER", "STATE", "SECRET ACCESS KEY")
            .AddRow(created.AccessKey.AccessKeyId, created.AccessKey.UserName, created.AccessKey.State, created.SecretAccessKey);
}
