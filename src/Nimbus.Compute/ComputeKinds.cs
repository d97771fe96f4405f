namespace Nimbus.Compute;

/// <summary>The resource kinds of the compute service and their id prefixes.</summary>
public static class ComputeKinds
{
    public const string Instance = "compute/instance";
    public const string InstancePrefix = "i";
    public const string Image = "compute/image";
    public const string ImagePrefix = "img";
}
