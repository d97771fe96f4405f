using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Compute;

/// <summary>The compute service's own failures, with their stable codes.</summary>
public static class ComputeErrors
{
    public static NimbusException IncorrectInstanceState(string id, string phase, string action) =>
        new(ErrorCodes.IncorrectInstanceState, 409, $"Instance {id} is {phase}; it cannot be {action} in that state.");

    public static NimbusException InsufficientCapacity(string message) =>
        new(ErrorCodes.InsufficientCapacity, 409, message);

    public static NimbusException DeletionProtected(string id) =>
        new(ErrorCodes.OperationNotPermitted, 409, $"Instance {id} has deletion protection; turn it off (modify --no-deletion-protection) before terminating it.");
}
