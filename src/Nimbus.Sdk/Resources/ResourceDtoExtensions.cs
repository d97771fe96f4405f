using System.Text.Json;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Json;

namespace Nimbus.Sdk;

/// <summary>Helpers on the resource envelope.</summary>
public static class ResourceDtoExtensions
{
    /// <summary>Deserializes the resource's <c>spec</c> into the kind's spec type, e.g. <c>WidgetSpec</c>.</summary>
    /// <typeparam name="T">The spec type of the resource's kind.</typeparam>
    /// <param name="resource">Required. The resource.</param>
    /// <param name="options">Optional. Serializer options; default <see cref="NimbusJson.Options"/>.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="InvalidOperationException">The resource carries no spec.</exception>
    /// <exception cref="JsonException">The spec does not have the shape of <typeparamref name="T"/>.</exception>
    public static T SpecAs<T>(this ResourceDto resource, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Spec.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw new InvalidOperationException($"Resource {resource.Id} carries no spec.");
        }

        return resource.Spec.Deserialize<T>(options ?? NimbusJson.Options)
            ?? throw new InvalidOperationException($"Resource {resource.Id} carries no spec.");
    }
}
