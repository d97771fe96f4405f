using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;

namespace Nimbus.Iam;

/// <summary>The envelope of a new IAM resource: global (no region), ready at once (IAM has no controller).</summary>
public static class IamResources
{
    public static Resource New<TSpec>(string kind, string id, string account, string name, TSpec spec, DateTimeOffset now, ImmutableSortedDictionary<string, string>? tags = null) => new()
    {
        Id = id,
        Kind = kind,
        Account = account,
        Region = IamKinds.GlobalRegion,
        Name = name,
        Tags = tags ?? ImmutableSortedDictionary<string, string>.Empty,
        Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
        Status = new ResourceStatus { Phase = ResourcePhases.Ready },
        CreatedAt = now,
        UpdatedAt = now,
    };
}
