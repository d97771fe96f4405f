using System.Text.Json;

namespace Nimbus.Store.Audit;

/// <summary>How the resource list of an event is stored: a compact JSON array of strings.</summary>
internal static class AuditStoreJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General);
}
