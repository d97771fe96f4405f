using Nimbus.Core.Store;
using Nimbus.Iam.Authorization;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary>What the simulation endpoint needs, in one injectable piece.</summary>
public sealed record SimulationDependencies(IResourceStore Store, PrincipalPolicies PrincipalPolicies, PolicyAuthorizer Authorizer);
