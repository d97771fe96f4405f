namespace Nimbus.Iam.Principals;

/// <summary>What is stored of a console password: its hash, when it changed, and recent hashes to refuse reuse.</summary>
public sealed record PasswordRecord(string Hash, DateTimeOffset ChangedAt, IReadOnlyList<string> History)
{
    public override string ToString() => $"PasswordRecord {{ ChangedAt = {ChangedAt} }}";
}
