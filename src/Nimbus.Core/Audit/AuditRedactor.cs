using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nimbus.Core.Audit;

/// <summary>
/// Turns a write's body into the <c>requestParameters</c> of its audit record: secrets replaced by
/// <see cref="Redacted"/> (before anything is cut, so a truncated record can never show half a secret),
/// and at most <see cref="MaxBytes"/> kept.
/// </summary>
public static class AuditRedactor
{
    public const string Redacted = "***REDACTED***";

    public const int MaxBytes = 16 * 1024;

    // Property names containing any of these (ignoring case) hold credentials. An instance's user data is a script
    // that often carries passwords or keys (AWS keeps it out of CloudTrail for the same reason).
    private static readonly string[] SecretWords = ["secret", "password", "token", "privatekey", "sessiontoken", "userdata"];

    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,

        // Keep text as sent (no \uXXXX for non-ASCII), so that the record reads like the request.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The redacted JSON text of <paramref name="body"/>; null for an empty body.</summary>
    public static string? Redact(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(Math.Min(body.Length + 64, MaxBytes * 2));
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
            using var writer = new Utf8JsonWriter(output, WriterOptions);
            Copy(ref reader, writer);
            writer.Flush();
        }
        catch (JsonException)
        {
            // Not JSON: the raw bytes might hold anything, so keep only the fact.
            return JsonSerializer.Serialize(string.Create(CultureInfo.InvariantCulture, $"[body is not JSON: {body.Length} bytes]"));
        }

        if (output.WrittenCount <= MaxBytes)
        {
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        var cut = output.WrittenSpan[..MaxBytes];

        // Do not split a UTF-8 sequence: back up over continuation bytes.
        var end = cut.Length;
        while (end > 0 && (cut[end - 1] & 0xC0) == 0x80)
        {
            end--;
        }

        if (end > 0 && cut[end - 1] >= 0xC0)
        {
            end--;
        }

        var text = Encoding.UTF8.GetString(cut[..end]) + string.Create(CultureInfo.InvariantCulture, $"…[truncated: {output.WrittenCount} bytes after redaction, first {MaxBytes} kept]");
        return JsonSerializer.Serialize(text, StringOptions);
    }

    /// <summary>Tells whether a JSON property of this name holds a secret.</summary>
    public static bool IsSecretName(ReadOnlySpan<char> name)
    {
        foreach (var word in SecretWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void Copy(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    var name = reader.GetString()!;
                    writer.WritePropertyName(name);
                    if (IsSecretName(name))
                    {
                        reader.Read();
                        reader.Skip();
                        writer.WriteStringValue(Redacted);
                    }

                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(reader.GetString());
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    writer.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    writer.WriteBooleanValue(false);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
                default:
                    break;
            }
        }
    }
}
