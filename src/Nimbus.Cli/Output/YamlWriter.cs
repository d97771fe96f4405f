using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Nimbus.Cli.Output;

/// <summary>
/// Writes a JSON document as YAML with YamlDotNet's emitter. Going through the JSON tree keeps the YAML field for
/// field identical to <c>--output json</c> and needs no reflection over the contract types.
/// </summary>
internal static partial class YamlWriter
{
    public static void Write(JsonElement element, TextWriter writer)
    {
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        EmitNode(emitter, element);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void EmitNode(IEmitter emitter, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var empty = !element.EnumerateObject().Any();
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, empty ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var property in element.EnumerateObject())
                {
                    EmitString(emitter, property.Name);
                    EmitNode(emitter, property.Value);
                }

                emitter.Emit(new MappingEnd());
                break;

            case JsonValueKind.Array:
                var none = element.GetArrayLength() == 0;
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, none ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in element.EnumerateArray())
                {
                    EmitNode(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;

            case JsonValueKind.String:
                EmitString(emitter, element.GetString() ?? "");
                break;

            case JsonValueKind.Number:
                EmitPlain(emitter, element.GetRawText());
                break;

            case JsonValueKind.True:
                EmitPlain(emitter, "true");
                break;

            case JsonValueKind.False:
                EmitPlain(emitter, "false");
                break;

            default:
                EmitPlain(emitter, "null");
                break;
        }
    }

    private static void EmitPlain(IEmitter emitter, string value) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    // A string that a YAML reader would take for a number, boolean, null or timestamp is quoted, so it stays a string.
    private static void EmitString(IEmitter emitter, string value)
    {
        var style = value.Length == 0 || LooksTyped().IsMatch(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    [GeneratedRegex(
        @"^(~|null|true|false|yes|no|on|off|y|n|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.inf|\.nan|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|[0-9]+(:[0-5]?[0-9])+(\.[0-9_]*)?)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LooksTyped();
}
