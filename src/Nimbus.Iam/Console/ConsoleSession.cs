namespace Nimbus.Iam.Console;

/// <summary>A signed-in console session as stored (keyed by a hash of its cookie value).</summary>
public sealed record ConsoleSession(string UserId, string UserName, string Account, string Principal, string CsrfToken, DateTimeOffset ExpiresAt, bool MfaAuthenticated)
{
    public override string ToString() => $"ConsoleSession {{ Principal = {Principal}, ExpiresAt = {ExpiresAt} }}";
}
