// Helper for bench/api.sh: signs requests for wrk (which cannot compute HMACs itself) and seeds data.
//   seed ENDPOINT CREDENTIALS_JSON COUNT            creates COUNT widgets, prints the id of the first
//   wrk-get ENDPOINT CREDENTIALS_JSON PATH OUT     one signed GET (raw request line file for bench/replay.lua)
//   wrk-create ENDPOINT CREDENTIALS_JSON COUNT OUT COUNT distinct signed creates, one per line
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Signing;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Nimbus.Bench seed|wrk-get|wrk-create ENDPOINT CREDENTIALS_JSON ...");
    return 2;
}

var endpoint = new Uri(args[1]);
using var credentialsFile = JsonDocument.Parse(File.ReadAllText(args[2]));
var credentials = new SigV4Credentials(credentialsFile.RootElement.GetProperty("accessKeyId").GetString()!, credentialsFile.RootElement.GetProperty("secretAccessKey").GetString()!);
var region = credentialsFile.RootElement.GetProperty("region").GetString()!;

HttpRequestMessage Signed(HttpMethod method, string path, string? body)
{
    var request = new HttpRequestMessage(method, new Uri(endpoint, path));
    var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
    if (body is not null)
    {
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    SigV4Signer.Sign(request, credentials, region, "nimbus", DateTimeOffset.UtcNow, SigV4Signer.HashPayload(bytes));
    return request;
}

// One raw HTTP/1.1 request on one line, CRLF written as TAB (neither headers nor bodies here hold tabs).
string RawRequest(HttpRequestMessage request, string? body)
{
    var raw = new StringBuilder();
    raw.Append(request.Method.Method).Append(' ').Append(request.RequestUri!.PathAndQuery).Append(" HTTP/1.1\t");
    raw.Append("Host: ").Append(request.RequestUri.Authority).Append('\t');
    foreach (var header in request.Headers)
    {
        raw.Append(header.Key).Append(": ").Append(string.Join(",", header.Value)).Append('\t');
    }

    if (body is not null)
    {
        raw.Append("Content-Type: application/json\t");
        raw.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append('\t');
    }

    raw.Append('\t').Append(body);
    return raw.ToString();
}

switch (args[0])
{
    case "seed":
    {
        using var http = new HttpClient();
        var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        string? first = null;
        for (var i = 0; i < count; i++)
        {
            var body = $"{{\"name\":\"seed-{i}\",\"tags\":{{\"bench\":\"list\"}},\"spec\":{{\"message\":\"seed {i}\"}}}}";
            using var response = await http.SendAsync(Signed(HttpMethod.Post, "/v1/demo/widgets", body));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"seed failed: {(int)response.StatusCode} {text}");
                return 1;
            }

            first ??= JsonDocument.Parse(text).RootElement.GetProperty("id").GetString();
        }

        Console.WriteLine(first);
        return 0;
    }

    case "raise-quota":
    {
        // The default of 1,000 widgets per account would turn most measured creates into 409s.
        using var http = new HttpClient();
        using var response = await http.SendAsync(Signed(HttpMethod.Put, "/v1/quotas/demo.widgets", $"{{\"limit\":{args[3]}}}"));
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"raise-quota failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return 1;
        }

        return 0;
    }

    case "wrk-get":
    {
        using var request = Signed(HttpMethod.Get, args[3], null);
        File.WriteAllText(args[4], RawRequest(request, null) + "\n");
        return 0;
    }

    case "wrk-create":
    {
        var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var run = Guid.NewGuid().ToString("N")[..8];
        using var output = new StreamWriter(args[4]);
        for (var i = 0; i < count; i++)
        {
            var body = $"{{\"name\":\"bench-{run}-{i}\",\"spec\":{{\"message\":\"created by wrk\"}}}}";
            using var request = Signed(HttpMethod.Post, "/v1/demo/widgets", body);
            output.WriteLine(RawRequest(request, body));
        }

        return 0;
    }

    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}
