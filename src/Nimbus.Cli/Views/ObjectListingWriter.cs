using System.Buffers;
using System.Text;
using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Sdk.Json;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Views;

/// <summary>
/// Prints <c>nimbus storage ls s3://bucket/prefix</c> page by page as the pages arrive, so a bucket of millions of
/// keys starts printing at once and never sits in memory. Table: fixed columns (the widths cannot wait for the
/// widest row). JSON: the same document as before (<c>bucket</c>, <c>objects</c>, <c>prefixes</c>), objects
/// written as they come; prefixes are kept until the end (they follow the objects). YAML is for people and
/// small listings: it is printed at the end.
/// </summary>
internal sealed class ObjectListingWriter : IDisposable
{
    /// <summary>Width of the SIZE column: 5 TiB has 13 digits.</summary>
    private const int SizeWidth = 13;

    private readonly OutputWriter _output;
    private readonly TextWriter _stdout;
    private readonly string _bucket;
    private readonly List<string> _prefixes = [];
    private readonly List<S3ObjectSummary> _buffered = [];
    private readonly ArrayBufferWriter<byte> _json = new();
    private readonly Utf8JsonWriter? _writer;
    private bool _headerWritten;

    public ObjectListingWriter(OutputWriter output, TextWriter stdout, string bucket)
    {
        _output = output;
        _stdout = stdout;
        _bucket = bucket;
        if (output.Format == OutputFormat.Json)
        {
            _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { Indented = true });
            _writer.WriteStartObject();
            _writer.WriteString("bucket", bucket);
            _writer.WriteStartArray("objects");
        }
    }

    public void WritePage(S3ListPage page)
    {
        switch (_output.Format)
        {
            case OutputFormat.Json:
                _prefixes.AddRange(page.CommonPrefixes);
                foreach (var item in page.Objects)
                {
                    JsonSerializer.Serialize(_writer!, item, NimbusJson.IndentedOptions);
                }

                Flush();
                break;

            case OutputFormat.Table:
                Header();
                foreach (var prefix in page.CommonPrefixes)
                {
                    _stdout.WriteLine(Row("-", "PRE", prefix));
                }

                foreach (var item in page.Objects)
                {
                    _stdout.WriteLine(Row(Cells.Time(item.LastModified), Cells.Number(item.Size), item.Key));
                }

                _stdout.Flush();
                break;

            default:
                _prefixes.AddRange(page.CommonPrefixes);
                _buffered.AddRange(page.Objects);
                break;
        }
    }

    public void Complete()
    {
        switch (_output.Format)
        {
            case OutputFormat.Json:
                _writer!.WriteEndArray();
                _writer.WriteStartArray("prefixes");
                foreach (var prefix in _prefixes)
                {
                    _writer.WriteStringValue(prefix);
                }

                _writer.WriteEndArray();
                _writer.WriteEndObject();
                Flush();
                _stdout.WriteLine();
                break;

            case OutputFormat.Table:
                Header();
                break;

            default:
                _output.Write(new ObjectListing(_bucket, _prefixes, _buffered), ObjectView.Listing);
                break;
        }
    }

    public void Dispose() => _writer?.Dispose();

    // Written with the first page, so that a listing that fails at once prints nothing on stdout.
    private void Header()
    {
        if (!_headerWritten)
        {
            _stdout.WriteLine(Row("MODIFIED", "SIZE", "KEY"));
            _headerWritten = true;
        }
    }

    private void Flush()
    {
        _writer!.Flush();
        _stdout.Write(Encoding.UTF8.GetString(_json.WrittenSpan));
        _stdout.Flush();
        _json.ResetWrittenCount();
    }

    // One row is one line: a key with a newline or tab would break the columns.
    private static string Row(string modified, string size, string key) =>
        modified.PadRight(20) + "  " + size.PadRight(SizeWidth) + "  " + key.ReplaceLineEndings(" ").Replace('\t', ' ');
}
