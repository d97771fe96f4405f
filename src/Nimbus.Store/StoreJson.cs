using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nimbus.Core.Resources;

namespace Nimbus.Store;

/// <summary>
/// How the JSON columns are written. The spec is stored as the caller's raw text so that it reads
/// back byte for byte; status and tags go through System.Text.Json with camelCase names.
/// </summary>
internal static class StoreJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Stored, never embedded in HTML: keep non-ASCII text as it is rather than \u-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string WriteSpec(JsonElement spec) =>
        spec.ValueKind == JsonValueKind.Undefined ? "{}" : spec.GetRawText();

    public static JsonElement ReadSpec(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string WriteStatus(ResourceStatus? status)
    {
        status ??= ResourceStatus.Pending;
        if (status.Conditions.IsDefault)
        {
            // A default ImmutableArray cannot be enumerated; it means "no conditions".
            status = status with { Conditions = [] };
        }

        return JsonSerializer.Serialize(status, Options);
    }

    public static ResourceStatus ReadStatus(string text)
    {
        var status = JsonSerializer.Deserialize<ResourceStatus>(text, Options) ?? ResourceStatus.Pending;
        return status.Conditions.IsDefault ? status with { Conditions = [] } : status;
    }

    public static string WriteTags(ImmutableSortedDictionary<string, string>? tags) =>
        JsonSerializer.Serialize(tags ?? ImmutableSortedDictionary<string, string>.Empty, Options);

    public static ImmutableSortedDictionary<string, string> ReadTags(string text) =>
        JsonSerializer.Deserialize<ImmutableSortedDictionary<string, string>>(text, Options)
        ?? ImmutableSortedDictionary<string, string>.Empty;
}
