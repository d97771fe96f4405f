using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;

namespace Nimbus.Compute.Tests;

/// <summary>An nftables table in a form two tables of the same content share, whatever order they were built in.</summary>
internal static class NftListing
{
    /// <summary>The <c>inet</c> table as <c>nft -j</c> lists it, without handles and its own name, elements and objects sorted.</summary>
    public static async Task<string> CanonicalAsync(string table)
    {
        var listed = await Host.RunAsync("nft", ["-j", "list", "table", "inet", table]);
        listed.ExitCode.ShouldBe(0, listed.Stderr);
        var items = new List<string>();
        foreach (var entry in JsonNode.Parse(listed.Stdout)!["nftables"]!.AsArray())
        {
            if (entry is JsonObject o && !o.ContainsKey("metainfo"))
            {
                items.Add(Normalize(o, table)!.ToJsonString());
            }
        }

        items.Sort(StringComparer.Ordinal);
        return string.Join('\n', items);
    }

    private static JsonNode? Normalize(JsonNode? node, string table) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Key != "handle").Select(p => KeyValuePair.Create(p.Key, p.Key == "elem" && p.Value is JsonArray elements
            ? new JsonArray([.. elements.Select(e => Normalize(e, table)).OrderBy(e => e!.ToJsonString(), StringComparer.Ordinal)])
            : Normalize(p.Value, table)))),
        JsonArray a => new JsonArray([.. a.Select(e => Normalize(e, table))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == table => JsonValue.Create("TABLE"),
        _ => node?.DeepClone(),
    };

    /// <summary>The kernel's handle of the <c>inet</c> table: a table replaced (deleted and made again) gets a new one, a table changed in place keeps it.</summary>
    public static async Task<string> TableHandleAsync(string table)
    {
        var listed = await Host.RunAsync("nft", ["-j", "list", "tables"]);
        listed.ExitCode.ShouldBe(0, listed.Stderr);
        var found = JsonNode.Parse(listed.Stdout)!["nftables"]!.AsArray()
            .Select(e => e?["table"]).SingleOrDefault(t => t is not null && (string?)t["name"] == table && (string?)t["family"] == "inet");
        return found?["handle"]?.ToJsonString() ?? throw new InvalidOperationException($"no table inet {table}");
    }
}
