namespace Nimbus.Iam.Policies;

/// <summary>The statement that decided a request, for <c>simulate</c> and for denial messages.</summary>
public sealed record DecidingStatement(PolicySource Source, string PolicyId, string PolicyName, string? Sid, int Index, PolicyEffect Effect)
{
    public override string ToString() =>
        $"{Source} policy {PolicyName} ({PolicyId}), statement {Index}{(Sid is null ? "" : $" \"{Sid}\"")}, {Effect}";
}
