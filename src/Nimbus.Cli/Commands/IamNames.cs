using System.Net;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Commands;

/// <summary>Lets IAM commands take a name where the API takes an id (<c>nimbus iam user get alice</c>).</summary>
internal static class IamNames
{
    public static async Task<ResourceDto> ResolveUserAsync(NimbusClient client, string idOrName, CancellationToken cancellationToken) =>
        idOrName.StartsWith("usr-", StringComparison.Ordinal)
            ? await client.Iam.Users.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await client.Iam.Users.FindByNameAsync(idOrName, cancellationToken).ConfigureAwait(false) ?? throw NotFound("User", idOrName);

    public static async Task<ResourceDto> ResolveGroupAsync(NimbusClient client, string idOrName, CancellationToken cancellationToken) =>
        idOrName.StartsWith("grp-", StringComparison.Ordinal)
            ? await client.Iam.Groups.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await client.Iam.Groups.FindByNameAsync(idOrName, cancellationToken).ConfigureAwait(false) ?? throw NotFound("Group", idOrName);

    public static async Task<ResourceDto> ResolvePolicyAsync(NimbusClient client, string idOrName, CancellationToken cancellationToken) =>
        idOrName.StartsWith("pol-", StringComparison.Ordinal)
            ? await client.Iam.Policies.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await client.Iam.Policies.FindByNameAsync(idOrName, cancellationToken).ConfigureAwait(false) ?? throw NotFound("Policy", idOrName);

    public static NimbusApiException NotFound(string what, string name) =>
        new(HttpStatusCode.NotFound, new ProblemDto { Status = 404, Code = ErrorCodes.NotFound, Detail = $"{what} '{name}' was not found." });
}
