using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of <c>nimbus whoami</c>.</summary>
internal static class CallerIdentityView
{
    public static Table One(CallerIdentityDto identity) =>
        new Table("ACCOUNT", "USER", "ACCESS KEY ID", "ADMIN", "PRINCIPAL")
            .AddRow(identity.Account, identity.UserName, identity.AccessKeyId, identity.IsPlatformAdministrator ? "yes" : "no", identity.Principal);
}
