namespace Nimbus.Iam.Policies;

/// <summary>One question to the evaluator: may this principal do this action on this resource?</summary>
public sealed record AuthorizationRequest
{
    /// <summary>Required. <c>service:Verb</c>, e.g. <c>iam:ListUsers</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Required. The NRN acted on, or <c>*</c> for actions without a resource.</summary>
    public required string Resource { get; init; }

    /// <summary>Required. The NRN of the calling user, role or root.</summary>
    public required string PrincipalNrn { get; init; }

    /// <summary>
    /// Optional. Other NRNs that name the principal in a resource policy's <c>Principal</c>: for an assumed-role
    /// session, its role (by id and by name), as AWS matches a role ARN to the role's sessions.
    /// </summary>
    public IReadOnlyList<string>? PrincipalAliases { get; init; }

    /// <summary>Required. The principal's 12-digit account id.</summary>
    public required string PrincipalAccount { get; init; }

    /// <summary>Optional. The account owning the resource; when null it is read from the resource NRN, and a resource without one is in the principal's account.</summary>
    public string? ResourceAccount { get; init; }

    /// <summary>Optional. Condition-key values; empty by default.</summary>
    public RequestContext Context { get; init; } = RequestContext.Empty;

    /// <summary>Whether the resource belongs to another account than the principal's.</summary>
    public bool IsCrossAccount
    {
        get
        {
            if (ResourceAccount is not null)
            {
                return ResourceAccount != PrincipalAccount;
            }

            // nrn:nimbus:<service>:<region>:<account>:<resource> — the fifth part.
            var rest = Resource.AsSpan();
            for (var i = 0; i < 4; i++)
            {
                var colon = rest.IndexOf(':');
                if (colon < 0)
                {
                    return false;
                }

                rest = rest[(colon + 1)..];
            }

            var end = rest.IndexOf(':');
            var account = end < 0 ? default : rest[..end];
            return !account.IsEmpty && !account.SequenceEqual(PrincipalAccount);
        }
    }
}
