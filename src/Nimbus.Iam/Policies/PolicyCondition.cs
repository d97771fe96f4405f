namespace Nimbus.Iam.Policies;

/// <summary>One <c>"Operator": { "key": values }</c> entry; several keys of one operator become several conditions.</summary>
public sealed record PolicyCondition(ConditionOperator Operator, string Key, IReadOnlyList<string> Values);
