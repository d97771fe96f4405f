namespace Nimbus.Core.Api;

/// <summary>Decides whether a caller may perform an action on resources.</summary>
public interface IAuthorizer
{
    /// <summary>The common case: an action on resources with no tags, no resource policy and no service-specific keys.</summary>
    ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken);

    /// <summary>
    /// The full form: also the resource's tags (<c>nimbus:ResourceTag/k</c>), the tags a request sets
    /// (<c>nimbus:RequestTag/k</c>, <c>nimbus:TagKeys</c>), the resource's own policy (buckets), the
    /// account owning the resource (cross-account needs both sides) and service-specific condition keys
    /// (e.g. <c>s3:prefix</c>).
    /// </summary>
    ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, AuthorizationTarget target, CancellationToken cancellationToken);
}

/// <summary>What a request asks to do, with everything a policy condition may look at.</summary>
public sealed record AuthorizationTarget
{
    /// <summary><c>service:Verb</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Resource NRNs; every one must be allowed.</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>Tags of the existing resource (<c>nimbus:ResourceTag/k</c>).</summary>
    public IReadOnlyDictionary<string, string>? ResourceTags { get; init; }

    /// <summary>Tags the request sets (<c>nimbus:RequestTag/k</c> and <c>nimbus:TagKeys</c>).</summary>
    public IReadOnlyDictionary<string, string>? RequestTags { get; init; }

    /// <summary>The resource's own policy (JSON), e.g. a bucket policy; evaluated together with identity policies.</summary>
    public string? ResourcePolicy { get; init; }

    /// <summary>The account owning the resources when the NRNs do not say it (e.g. S3 ARNs carry no account).</summary>
    public string? ResourceAccount { get; init; }

    /// <summary>Service-specific condition keys, e.g. <c>s3:prefix</c>, <c>s3:max-keys</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ConditionKeys { get; init; }

    /// <summary>
    /// Optional, instead of <see cref="ResourceTags"/>: reads the resource's tags only when a policy of the caller
    /// tests <c>nimbus:ResourceTag/k</c> (root users and policies without tag conditions skip the read).
    /// </summary>
    public Func<CancellationToken, ValueTask<IReadOnlyDictionary<string, string>?>>? LoadResourceTags { get; init; }

    /// <summary>Optional, instead of <see cref="RequestTags"/>: reads the request's tags only when a policy tests them.</summary>
    public Func<CancellationToken, ValueTask<IReadOnlyDictionary<string, string>?>>? LoadRequestTags { get; init; }
}

/// <summary>The outcome of one authorization, kept for the audit trail.</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason);
