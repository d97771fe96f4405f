namespace Nimbus.Iam.Policies;

/// <summary>The multi-valued prefix of a condition operator.</summary>
public enum SetQualifier
{
    None,
    ForAnyValue,
    ForAllValues,
}
