namespace Nimbus.Core.Api;

/// <summary>Decides whether a caller may perform an action on resources.</summary>
public interface IAuthorizer
{
    ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken);
}

/// <summary>The outcome of one authorization, kept for the audit trail.</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason);
