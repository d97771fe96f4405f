using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Nimbus.Sdk.Json;

namespace Nimbus.Cli.Output;

/// <summary>Prints a result on stdout in the chosen format: the API's own object for json/yaml, a table otherwise.</summary>
internal sealed class OutputWriter
{
    private readonly TextWriter _stdout;

    public OutputWriter(OutputFormat format, TextWriter stdout)
    {
        Format = format;
        _stdout = stdout;
    }

    public OutputFormat Format { get; }

    public bool IsTable => Format == OutputFormat.Table;

    public void Write<T>(T value, Func<T, Table> toTable)
    {
        switch (Format)
        {
            case OutputFormat.Json:
                _stdout.WriteLine(JsonSerializer.Serialize(value, TypeInfo<T>(NimbusJson.IndentedOptions)));
                break;

            case OutputFormat.Yaml:
                YamlWriter.Write(JsonSerializer.SerializeToElement(value, TypeInfo<T>(NimbusJson.Options)), _stdout);
                break;

            default:
                toTable(value).WriteTo(_stdout);
                break;
        }
    }

    /// <summary>A human-readable line for table output (e.g. "deleted wdg-1"); json and yaml stay machine-readable.</summary>
    public void Message(string text)
    {
        if (IsTable)
        {
            _stdout.WriteLine(text);
        }
    }

    public static OutputFormat Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "table" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        "yaml" or "yml" => OutputFormat.Yaml,
        _ => throw new CliUsageException($"Output format '{text}' is not one of table, json, yaml."),
    };

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
