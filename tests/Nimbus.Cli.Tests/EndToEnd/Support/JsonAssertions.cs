using System.Text.Json;
using Shouldly;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

internal static class JsonAssertions
{
    /// <summary>Parses the CLI's stdout, which must be exactly one JSON document.</summary>
    public static JsonElement ParseJson(this string stdout)
    {
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static long Num(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static void ShouldHaveProperties(this JsonElement element, params string[] names) =>
        element.EnumerateObject().Select(p => p.Name).ShouldBe(names);

    /// <summary>The element re-written without whitespace, to compare a whole object at once.</summary>
    public static string Compact(this JsonElement element) => JsonSerializer.Serialize(element);

    public static Dictionary<string, string> StringMap(this JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
}
