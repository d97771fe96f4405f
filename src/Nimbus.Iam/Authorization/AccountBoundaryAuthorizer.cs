using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Iam.Accounts;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The authorization step until IAM policies exist: platform administrators may do anything;
/// any other principal only acts on resources of its own account. Denies by default.
/// </summary>
public sealed class AccountBoundaryAuthorizer(PlatformAccount platform) : IAuthorizer
{
    public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        if (platform.IsPlatform(caller.Account))
        {
            return ValueTask.FromResult(new AuthorizationDecision(true, "platform administrator"));
        }

        foreach (var resource in resources)
        {
            if (resource != "*" && AccountOf(resource) != caller.Account)
            {
                return ValueTask.FromResult(new AuthorizationDecision(false, $"{resource} is not in account {caller.Account}"));
            }
        }

        return ValueTask.FromResult(new AuthorizationDecision(true, "own account"));
    }

    private static string? AccountOf(string nrn)
    {
        if (!nrn.StartsWith(Nrn.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = nrn.Split(':', 6);
        return parts.Length == 6 ? parts[4] : null;
    }
}
