using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Nimbus.Storage.S3;

/// <summary>Builds an S3 XML answer in memory (answers are small: at most 1000 entries) and sends it with its length.</summary>
internal sealed class S3Xml : IDisposable
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        CheckCharacters = false,
        Async = false,
    };

    private readonly MemoryStream _buffer = new();
    private readonly XmlWriter _writer;

    private static readonly XmlWriterSettings FragmentSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        CheckCharacters = false,
        Async = false,
        OmitXmlDeclaration = true,
    };

    /// <param name="root">The root element.</param>
    /// <param name="withNamespace">Put the root in S3's namespace (error documents have none).</param>
    /// <param name="declaration">Start with the XML declaration; false for a body whose declaration already went out (<see cref="KeepAliveResponse"/>).</param>
    public S3Xml(string root, bool withNamespace = true, bool declaration = true)
    {
        _writer = XmlWriter.Create(_buffer, declaration ? Settings : FragmentSettings);
        if (declaration)
        {
            _writer.WriteStartDocument();
        }

        if (withNamespace)
        {
            _writer.WriteStartElement(root, Namespace);
        }
        else
        {
            _writer.WriteStartElement(root);
        }
    }

    public S3Xml Start(string name)
    {
        _writer.WriteStartElement(name);
        return this;
    }

    public S3Xml End()
    {
        _writer.WriteEndElement();
        return this;
    }

    public S3Xml Element(string name, string? value)
    {
        _writer.WriteStartElement(name);
        if (!string.IsNullOrEmpty(value))
        {
            _writer.WriteString(Clean(value));
        }

        _writer.WriteEndElement();
        return this;
    }

    public S3Xml Attribute(string? prefix, string localName, string? ns, string value)
    {
        _writer.WriteAttributeString(prefix, localName, ns, value);
        return this;
    }

    public S3Xml Text(string value)
    {
        _writer.WriteString(Clean(value));
        return this;
    }

    public S3Xml Element(string name, long value) => Element(name, value.ToString(CultureInfo.InvariantCulture));

    public S3Xml Element(string name, bool value) => Element(name, value ? "true" : "false");

    public S3Xml Element(string name, DateTimeOffset value) => Element(name, Timestamp(value));

    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public async Task SendAsync(HttpResponse response, int status = 200)
    {
        _writer.WriteEndElement();
        _writer.WriteEndDocument();
        _writer.Flush();
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = _buffer.Length;
        await response.Body.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length)).ConfigureAwait(false);
    }

    /// <summary>Finishes the document and writes it to a response whose status and headers are already sent.</summary>
    public async Task WriteToStartedAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        _writer.WriteEndElement();
        _writer.WriteEndDocument();
        _writer.Flush();
        await response.Body.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _buffer.Dispose();
    }

    // XML 1.0 cannot carry most control characters even as references; S3 clients asking for such keys use
    // encoding-type=url. Replace them rather than emit a document no parser accepts.
    private static string Clean(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 && c is not ('\t' or '\n' or '\r') || c is '\uFFFE' or '\uFFFF')
            {
                return string.Concat(value.Select(ch => ch < 0x20 && ch is not ('\t' or '\n' or '\r') || ch is '\uFFFE' or '\uFFFF' ? '\uFFFD' : ch));
            }
        }

        return value;
    }
}
