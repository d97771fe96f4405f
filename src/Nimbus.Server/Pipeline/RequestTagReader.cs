using System.Text.Json;
using Nimbus.Core.Api;

namespace Nimbus.Server.Pipeline;

/// <summary>
/// Reads the tags a request sets — the JSON body's top-level <c>tags</c> object — for tag conditions. It
/// reads them the way the handler's deserializer will (property names case-insensitive, the last of duplicate
/// properties or keys wins), so a policy sees exactly what will be stored.
/// </summary>
public static class RequestTagReader
{
    /// <summary>The tags, or null when the body sets none or is not a JSON object (the handler refuses it then).</summary>
    public static async ValueTask<IReadOnlyDictionary<string, string>?> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = context.BufferedBody();
        if (body.IsEmpty && context.Request.ContentLength != 0)
        {
            // Console (cookie) requests are not buffered by signature checking; buffer here and rewind for the handler.
            context.Request.EnableBuffering();
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            context.Request.Body.Position = 0;
            body = copy.ToArray();
        }

        return Parse(body.Span);
    }

    public static IReadOnlyDictionary<string, string>? Parse(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            Dictionary<string, string>? tags = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTags = reader.ValueTextEquals("tags"u8) || string.Equals(reader.GetString(), "tags", StringComparison.OrdinalIgnoreCase);
                reader.Read();
                if (!isTags)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType == JsonTokenType.Null)
                {
                    tags = null;
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                tags = new Dictionary<string, string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    tags[key] = reader.GetString()!;
                }
            }

            return tags;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
