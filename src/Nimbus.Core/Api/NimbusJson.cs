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

        // ASP.NET Core sets the default encoder explicitly; null means the same encoder, and only null
        // matches the source-generated options (a mismatch disables the generated fast path).
        options.Encoder = null;

        // Contract types use source-generated metadata (no reflection per type); anything else falls back.
        if (options.TypeInfoResolver is null or System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver)
        {
            options.TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
                Nimbus.Contracts.Json.ContractsJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        }
        // No converters here: any would stop System.Text.Json from using the source-generated fast
        // path (a direct writer per type) and fall back to its generic, much slower one on every
        // response. Enums are strings through the context's own options.
        return options;
    }
}
