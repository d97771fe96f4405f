using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nimbus.Core.Api;

/// <summary>The one JSON dialect of the API: camelCase, strict on input (unknown fields are errors).</summary>
public static class NimbusJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.MaxDepth = 32;

        // Contract types use source-generated metadata (no reflection per type); anything else falls back.
        if (options.TypeInfoResolver is null or System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver)
        {
            options.TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
                Nimbus.Contracts.Json.ContractsJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        }
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        }

        return options;
    }
}
