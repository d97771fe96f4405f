using System.Xml;
using System.Xml.Linq;

namespace Nimbus.Storage.S3;

/// <summary>Parses request bodies (configurations, delete lists, part lists): no DTDs, no external entities, names matched without namespace.</summary>
internal static class S3XmlInput
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 16 * 1024 * 1024,
    };

    public static XElement Parse(byte[] body, string expectedRoot)
    {
        if (body.Length == 0)
        {
            throw S3Errors.MalformedXml("the body is empty.");
        }

        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw S3Errors.MalformedXml(ex.Message);
        }

        var root = document.Root!;
        return root.Name.LocalName == expectedRoot ? root : throw S3Errors.MalformedXml($"the root element is {root.Name.LocalName}, not {expectedRoot}.");
    }

    public static IEnumerable<XElement> Children(this XElement element, string name) => element.Elements().Where(e => e.Name.LocalName == name);

    public static XElement? Child(this XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);
}
