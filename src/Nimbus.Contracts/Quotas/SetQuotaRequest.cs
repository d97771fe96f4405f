namespace Nimbus.Contracts.Quotas;

/// <summary>Body of <c>PUT /v1/quotas/{code}</c> (platform administrators only).</summary>
public sealed record SetQuotaRequest
{
    /// <summary>Optional. Account whose limit is set; default the caller's account.</summary>
    public string? Account { get; init; }

    /// <summary>Required. The new limit, 0 to 1,000,000,000,000, in the quota's unit. Below current usage it blocks new consumption but removes nothing.</summary>
    public long? Limit { get; init; }
}
