using System.Text;
using System.Text.Json;

namespace Nimbus.Iam.Policies;

/// <summary>
/// Reads a policy with <see cref="Utf8JsonReader"/> so that every error can name the line and
/// column of the token at fault; semantic errors are collected and parsing goes on, so a user
/// sees all of them at once. Only malformed JSON stops the walk.
/// </summary>
internal sealed partial class PolicyParser
{
    private static readonly string[] DocumentFields = ["Version", "Id", "Statement"];

    private readonly IActionCatalog _catalog;
    private readonly PolicyKind _kind;
    private readonly List<PolicyError> _errors = [];
    private byte[] _bytes = [];

    public PolicyParser(IActionCatalog catalog, PolicyKind kind)
    {
        _catalog = catalog;
        _kind = kind;
    }

    public PolicyParseResult Parse(string? json)
    {
        if (json is null)
        {
            return new PolicyParseResult(null, [new PolicyError(1, 1, "expected a policy document, found nothing")]);
        }

        _bytes = Encoding.UTF8.GetBytes(json);
        var max = PolicyDocument.MaxBytesOf(_kind);
        if (_bytes.Length > max)
        {
            return new PolicyParseResult(null, [new PolicyError(1, 1, $"the document is {_bytes.Length} bytes; at most {max} are allowed")]);
        }

        PolicyDocument? document = null;
        var reader = new Utf8JsonReader(_bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 });
        try
        {
            if (!reader.Read())
            {
                Error(0, "expected a policy object, found the end of the document");
            }
            else
            {
                document = ReadDocument(ref reader);
                // With a final block, a second top-level value or stray characters make Read throw.
                reader.Read();
            }
        }
        catch (JsonException ex)
        {
            var (line, column) = LocateJsonException(ex);
            _errors.Add(new PolicyError(line, column, "malformed JSON: " + TrimJsonMessage(ex.Message)));
        }
        catch (InvalidOperationException)
        {
            // GetString refuses escapes that decode to invalid UTF-16 (a lone surrogate).
            Error(reader.TokenStartIndex, "malformed JSON: a string holds an invalid escape sequence");
        }

        return _errors.Count == 0 ? new PolicyParseResult(document, []) : new PolicyParseResult(null, _errors.ToArray());
    }

    private PolicyDocument? ReadDocument(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Error(reader.TokenStartIndex, $"expected a policy object, found {Describe(ref reader)}");
            reader.Skip();
            return null;
        }

        var start = reader.TokenStartIndex;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var version = PolicyDocument.Version2012;
        string? id = null;
        List<PolicyStatement>? statements = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var nameAt = reader.TokenStartIndex;
            reader.Read();
            if (!seen.Add(name))
            {
                Error(nameAt, $"duplicate field \"{name}\"");
                reader.Skip();
                continue;
            }

            switch (name)
            {
                case "Version":
                    if (reader.TokenType == JsonTokenType.String && reader.GetString() is PolicyDocument.Version2012 or PolicyDocument.Version2026)
                    {
                        version = reader.GetString()!;
                    }
                    else
                    {
                        Error(reader.TokenStartIndex, $"expected \"{PolicyDocument.Version2012}\" or \"{PolicyDocument.Version2026}\", found {Describe(ref reader)}");
                        reader.Skip();
                    }

                    break;
                case "Id":
                    id = ReadString(ref reader);
                    break;
                case "Statement":
                    statements = ReadStatements(ref reader);
                    break;
                default:
                    Error(nameAt, $"unknown field \"{name}\"; expected one of {Quote(DocumentFields)}");
                    reader.Skip();
                    break;
            }
        }

        if (!seen.Contains("Statement"))
        {
            Error(start, "missing \"Statement\"");
        }

        return statements is null ? null : new PolicyDocument { Version = version, Id = id, Statements = statements };
    }

    private List<PolicyStatement>? ReadStatements(ref Utf8JsonReader reader)
    {
        var statements = new List<PolicyStatement>();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            AddIfValid(statements, ReadStatement(ref reader, 0));
            return statements;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Error(reader.TokenStartIndex, $"expected a statement object or an array of statements, found {Describe(ref reader)}");
            reader.Skip();
            return null;
        }

        var arrayAt = reader.TokenStartIndex;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index == PolicyDocument.MaxStatements)
            {
                Error(reader.TokenStartIndex, $"too many statements; at most {PolicyDocument.MaxStatements} are allowed");
            }

            AddIfValid(statements, ReadStatement(ref reader, index));
            index++;
        }

        if (index == 0)
        {
            Error(arrayAt, "expected at least one statement, found an empty array");
        }

        return statements;
    }

    private static void AddIfValid(List<PolicyStatement> statements, PolicyStatement? statement)
    {
        if (statement is not null)
        {
            statements.Add(statement);
        }
    }

    private string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        Error(reader.TokenStartIndex, $"expected a string, found {Describe(ref reader)}");
        reader.Skip();
        return null;
    }

    /// <summary>A string or a non-empty array of strings, each with the offset of its token.</summary>
    private List<(string Value, long At)>? ReadStringList(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [(reader.GetString()!, reader.TokenStartIndex)];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Error(reader.TokenStartIndex, $"expected a string or an array of strings, found {Describe(ref reader)}");
            reader.Skip();
            return null;
        }

        var arrayAt = reader.TokenStartIndex;
        var values = new List<(string, long)>();
        var ok = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                values.Add((reader.GetString()!, reader.TokenStartIndex));
            }
            else
            {
                Error(reader.TokenStartIndex, $"expected a string, found {Describe(ref reader)}");
                reader.Skip();
                ok = false;
            }
        }

        if (values.Count == 0 && ok)
        {
            Error(arrayAt, "expected at least one value, found an empty array");
            return null;
        }

        return ok ? values : null;
    }

    private void Error(long offset, string message)
    {
        var (line, column) = Locate(offset);
        _errors.Add(new PolicyError(line, column, message));
    }

    private (int Line, int Column) Locate(long offset)
    {
        var line = 1;
        var column = 1;
        var end = (int)Math.Min(offset, _bytes.Length);
        for (var i = 0; i < end; i++)
        {
            if (_bytes[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else if ((_bytes[i] & 0xC0) != 0x80)
            {
                // Columns count characters, not UTF-8 continuation bytes.
                column++;
            }
        }

        return (line, column);
    }

    private (int Line, int Column) LocateJsonException(JsonException ex)
    {
        // JsonException positions are 0-based and count bytes; convert to a character column.
        var targetLine = (int)(ex.LineNumber ?? 0);
        var lineStart = 0;
        for (var line = 0; line < targetLine && lineStart < _bytes.Length; line++)
        {
            var next = Array.IndexOf(_bytes, (byte)'\n', lineStart);
            lineStart = next < 0 ? _bytes.Length : next + 1;
        }

        return Locate(lineStart + (ex.BytePositionInLine ?? 0));
    }

    private static string TrimJsonMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "\"" + reader.GetString() + "\"",
        JsonTokenType.Number => "the number " + Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => reader.TokenType.ToString(),
    };

    private static string Quote(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(names.Count - 1).Select(n => $"\"{n}\"")) + $" or \"{names[^1]}\"";
}
