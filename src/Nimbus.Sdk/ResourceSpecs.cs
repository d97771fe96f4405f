using System.Text.Json;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Json;

namespace Nimbus.Sdk;

/// <summary>A resource's <c>spec</c> read as its service's spec type (the clients' <c>SpecOf</c> and the CLI's views).</summary>
public static class ResourceSpecs
{
    /// <summary>The spec as <typeparamref name="T"/>, as the server sent it.</summary>
    public static T Read<T>(ResourceDto resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return JsonSerializer.Deserialize<T>(resource.Spec, NimbusJson.Options)!;
    }

    /// <summary>The spec as <typeparamref name="T"/>, or null when the resource carries no spec object.</summary>
    public static T? ReadOrNull<T>(ResourceDto resource)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Spec.ValueKind == JsonValueKind.Object ? resource.Spec.Deserialize<T>(NimbusJson.Options) : null;
    }
}
