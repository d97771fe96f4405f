using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of users, groups and accounts.</summary>
internal static class PrincipalView
{
    public static Table User(ResourceDto user) => Users([user]);

    public static Table UserPage(PageDto<ResourceDto> page) => Users(page.Items);

    public static Table Group(ResourceDto group) => Groups([group]);

    public static Table GroupPage(PageDto<ResourceDto> page) => Groups(page.Items);

    public static Table Account(ResourceDto account) => Accounts([account]);

    public static Table AccountPage(PageDto<ResourceDto> page) => Accounts(page.Items);

    public static Table CreatedAccount(CreateAccountResponse created)
    {
        var table = new Table("ACCOUNT", "NAME", "ROOT ACCESS KEY ID", "SECRET ACCESS KEY");
        table.AddRow(created.Account.Id, created.Account.Name, created.RootAccessKey.AccessKey.AccessKeyId, created.RootAccessKey.SecretAccessKey);
        return table;
    }

    private static Table Users(IEnumerable<ResourceDto> users)
    {
        var table = new Table("ID", "NAME", "PATH", "CONSOLE", "TAGS", "CREATED");
        foreach (var user in users)
        {
            table.AddRow(user.Id, user.Name, Field(user.Spec, "path"), Field(user.Spec, "consoleAccess") == "true" ? "yes" : "no", Cells.Tags(user.Tags), Cells.Time(user.CreatedAt));
        }

        return table;
    }

    private static Table Groups(IEnumerable<ResourceDto> groups)
    {
        var table = new Table("ID", "NAME", "PATH", "MEMBERS", "CREATED");
        foreach (var group in groups)
        {
            var members = group.Spec.ValueKind == JsonValueKind.Object && group.Spec.TryGetProperty("members", out var m) && m.ValueKind == JsonValueKind.Array ? m.GetArrayLength() : 0;
            table.AddRow(group.Id, group.Name, Field(group.Spec, "path"), Cells.Number(members), Cells.Time(group.CreatedAt));
        }

        return table;
    }

    private static Table Accounts(IEnumerable<ResourceDto> accounts)
    {
        var table = new Table("ACCOUNT", "NAME", "CREATED");
        foreach (var account in accounts)
        {
            table.AddRow(account.Id, account.Name, Cells.Time(account.CreatedAt));
        }

        return table;
    }

    private static string? Field(JsonElement spec, string name) =>
        spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
