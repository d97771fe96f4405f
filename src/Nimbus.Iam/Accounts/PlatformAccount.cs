namespace Nimbus.Iam.Accounts;

/// <summary>The id of the platform's own account, whose principals administer every account.</summary>
public sealed class PlatformAccount
{
    private string? _accountId;

    public string AccountId => _accountId ?? throw new InvalidOperationException("the platform has not been bootstrapped yet");

    public bool IsPlatform(string account) => _accountId is not null && string.Equals(account, _accountId, StringComparison.Ordinal);

    internal void Set(string accountId) => _accountId = accountId;
}
