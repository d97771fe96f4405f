namespace Nimbus.Iam.Policies;

/// <summary>A policy document together with the id and name a decision reports it by.</summary>
public sealed record AttachedPolicy(string Id, string Name, PolicyDocument Document);
