namespace Nimbus.Iam.Policies;

/// <summary>One problem in a policy document, at a 1-based line and column (of the offending token).</summary>
public sealed record PolicyError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}
