using Nimbus.Iam.Policies;

namespace Nimbus.Compute;

/// <summary>
/// The IAM actions of the compute service. Registering them also gives the built-in <c>ComputeFullAccess</c> and
/// <c>ComputeReadOnlyAccess</c> managed policies and adds the read actions to <c>ReadOnlyAccess</c>.
/// </summary>
public static class ComputeActions
{
    public const string ListInstanceTypes = "compute:ListInstanceTypes";
    public const string ListImages = "compute:ListImages";
    public const string GetImage = "compute:GetImage";
    public const string ImportImage = "compute:ImportImage";
    public const string BuildImage = "compute:BuildImage";
    public const string CreateImage = "compute:CreateImage";
    public const string ShareImage = "compute:ShareImage";
    public const string UnshareImage = "compute:UnshareImage";
    public const string DeprecateImage = "compute:DeprecateImage";
    public const string DeleteImage = "compute:DeleteImage";
    public const string RunInstances = "compute:RunInstances";
    public const string ListInstances = "compute:ListInstances";
    public const string GetInstance = "compute:GetInstance";
    public const string StopInstances = "compute:StopInstances";
    public const string StartInstances = "compute:StartInstances";
    public const string RebootInstances = "compute:RebootInstances";
    public const string TerminateInstances = "compute:TerminateInstances";
    public const string ModifyInstance = "compute:ModifyInstance";
    public const string GetConsoleOutput = "compute:GetConsoleOutput";
    public const string GetInstanceStats = "compute:GetInstanceStats";
    public const string ExecInstance = "compute:ExecInstance";
    public const string GetGarbageReport = "compute:GetGarbageReport";
    public const string RunGarbageCheck = "compute:RunGarbageCheck";

    /// <summary>IAM's action for handing a role to a service: running an instance with an instance profile needs it on the role.</summary>
    public const string PassRole = "iam:PassRole";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("compute",
        [
            ("ListInstanceTypes", ActionAccessLevel.List),
            ("ListImages", ActionAccessLevel.List), ("GetImage", ActionAccessLevel.Read),
            ("ImportImage", ActionAccessLevel.Write), ("BuildImage", ActionAccessLevel.Write), ("CreateImage", ActionAccessLevel.Write),
            ("ShareImage", ActionAccessLevel.Write), ("UnshareImage", ActionAccessLevel.Write), ("DeprecateImage", ActionAccessLevel.Write),
            ("DeleteImage", ActionAccessLevel.Write),
            ("RunInstances", ActionAccessLevel.Write), ("ListInstances", ActionAccessLevel.List), ("GetInstance", ActionAccessLevel.Read),
            ("StopInstances", ActionAccessLevel.Write), ("StartInstances", ActionAccessLevel.Write), ("RebootInstances", ActionAccessLevel.Write),
            ("TerminateInstances", ActionAccessLevel.Write), ("ModifyInstance", ActionAccessLevel.Write),
            ("GetConsoleOutput", ActionAccessLevel.Read), ("GetInstanceStats", ActionAccessLevel.Read), ("ExecInstance", ActionAccessLevel.Write),
            ("GetGarbageReport", ActionAccessLevel.Read), ("RunGarbageCheck", ActionAccessLevel.Write),
        ]);
    }
}
