using Nimbus.Contracts.Signing;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>A request in the suite's text form: request line, header lines, blank line, body.</summary>
internal sealed record RawHttpRequest(string Method, string RawPath, string RawQuery, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public static RawHttpRequest Parse(string text)
    {
        int blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        string head = blank < 0 ? text : text[..blank];
        string body = blank < 0 ? "" : text[(blank + 2)..];
        string[] lines = head.Split('\n');

        // The target may contain spaces (get-space): the method ends at the first space, the protocol starts after the last.
        string requestLine = lines[0];
        string method = requestLine[..requestLine.IndexOf(' ')];
        string target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        int question = target.IndexOf('?');
        string rawPath = question < 0 ? target : target[..question];
        string rawQuery = question < 0 ? "" : target[(question + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                // obs-fold continuation (get-header-value-multiline): another value of the previous header.
                headers.Add(new KeyValuePair<string, string>(headers[^1].Key, line));
                continue;
            }

            int colon = line.IndexOf(':');
            headers.Add(new KeyValuePair<string, string>(line[..colon], line[(colon + 1)..]));
        }

        return new RawHttpRequest(method, rawPath, rawQuery, headers, body);
    }

    public SigV4HeaderCollection HeaderCollection()
    {
        var collection = new SigV4HeaderCollection();
        foreach (KeyValuePair<string, string> header in Headers)
        {
            collection.Add(header.Key, header.Value);
        }

        return collection;
    }

    public SigV4Request ToSigV4Request(SigV4HeaderCollection? headers = null) => new()
    {
        Method = Method,
        RawPath = RawPath,
        RawQuery = RawQuery,
        Headers = headers ?? HeaderCollection(),
        PayloadHash = SigV4Signer.HashPayload(System.Text.Encoding.UTF8.GetBytes(Body)),
    };
}
