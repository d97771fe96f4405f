using Nimbus.Core.Resources;

namespace Nimbus.Core.Controllers;

/// <summary>Value equality of statuses (records compare ImmutableArray and JsonElement by reference).</summary>
public static class StatusComparer
{
    public static bool Same(ResourceStatus a, ResourceStatus b)
    {
        if (a.Phase != b.Phase || a.Message != b.Message || a.ObservedVersion != b.ObservedVersion)
        {
            return false;
        }

        if (!a.Conditions.AsSpan().SequenceEqual(b.Conditions.AsSpan()))
        {
            return false;
        }

        return a.Details?.GetRawText() == b.Details?.GetRawText();
    }
}
