namespace Nimbus.Core.Quotas;

/// <summary>What one usage counter of a quota belongs to.</summary>
public enum QuotaScope
{
    /// <summary>One counter per account (e.g. <c>demo.widgets</c>).</summary>
    Account = 1,

    /// <summary>One counter per user of the account; the limit applies to each user (e.g. <c>iam.access-keys-per-user</c>).</summary>
    User = 2,
}
