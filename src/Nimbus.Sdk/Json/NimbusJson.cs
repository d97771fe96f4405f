using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nimbus.Sdk.Json;

/// <summary>The JSON conventions of the Nimbus API: camelCase names, case-insensitive reads.</summary>
public static class NimbusJson
{
    /// <summary>
    /// Read-only serializer options matching the server. Contract types use source-generated metadata
    /// (no reflection at startup); any other type falls back to reflection.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create(writeIndented: false);

    /// <summary>Same as <see cref="Options"/> but writing indented JSON, for display.</summary>
    public static JsonSerializerOptions IndentedOptions { get; } = Create(writeIndented: true);

    private static JsonSerializerOptions Create(bool writeIndented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = writeIndented,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(Nimbus.Contracts.Json.ContractsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}
