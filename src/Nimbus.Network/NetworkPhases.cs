namespace Nimbus.Network;

/// <summary>Phases of network resources.</summary>
public static class NetworkPhases
{
    /// <summary>Usable: a VPC or subnet exists in the store (the data path follows it).</summary>
    public const string Available = "available";
}
