namespace Nimbus.Iam.Policies;

/// <summary>The positive comparison behind a condition operator; negated forms set <see cref="ConditionOperator.Negated"/>.</summary>
public enum ConditionOperatorKind
{
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    IpAddress,
    ArnEquals,
    ArnLike,
    Null,
}
