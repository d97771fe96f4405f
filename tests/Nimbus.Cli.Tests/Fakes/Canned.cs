namespace Nimbus.Cli.Tests.Fakes;

/// <summary>JSON bodies the fake server answers with, shaped like the API's.</summary>
public static class Canned
{
    public static string Widget(string id = "wdg-0001", string name = "w1", string phase = "ready", string message = "hello", int copies = 1, long version = 1, long observedVersion = 1, string tags = "{}") => $$"""
        {"id":"{{id}}","kind":"demo/widget","nrn":"nrn:nimbus:demo:local:000000000001:widget/{{id}}","account":"000000000001","name":"{{name}}",
         "tags":{{tags}},"spec":{"message":"{{message}}","copies":{{copies}}},
         "status":{"phase":"{{phase}}","message":null,"observedVersion":{{observedVersion}},"conditions":[]},
         "version":{{version}},"createdAt":"2025-01-02T03:04:05+00:00","updatedAt":"2025-01-02T03:04:06+00:00"}
        """;

    public static string Page(string nextToken, params string[] items) =>
        $$"""{"items":[{{string.Join(",", items)}}],"nextToken":{{(nextToken.Length == 0 ? "null" : "\"" + nextToken + "\"")}}}""";

    public static string AccessKey(string id = "NKIAEXAMPLE0001", string state = "active") => $$"""
        {"accessKeyId":"{{id}}","account":"000000000001","userName":"alice","principal":"nrn:nimbus:iam::000000000001:user/alice",
         "state":"{{state}}","createdAt":"2025-01-02T03:04:05+00:00","lastUsedAt":null}
        """;

    public static string Resource(string kind, string id, string name, string spec = "{}") => $$"""
        {"id":"{{id}}","kind":"{{kind}}","nrn":"nrn:nimbus:iam::000000000001:{{kind[4..]}}/{{id}}","account":"000000000001","name":"{{name}}",
         "tags":{},"spec":{{spec}},"status":{"phase":"ready","message":null,"observedVersion":1,"conditions":[]},"version":1,"createdAt":"2025-01-02T03:04:05+00:00","updatedAt":"2025-01-02T03:04:05+00:00"}
        """;

    /// <summary>An <c>iam/policy</c> with versions v1 and v2 of the given documents (JSON string literals), v2 the default unless said otherwise.</summary>
    public static string Policy(string id = "pol-0001", string name = "auditors", string v1 = "\"{}\"", string v2 = "\"{}\"", string defaultVersion = "v2") =>
        Resource("iam/policy", id, name, $$"""
            {"description":"read only","defaultVersion":"{{defaultVersion}}","versions":[
             {"versionId":"v1","document":{{v1}},"createdAt":"2025-01-02T03:04:05+00:00"},
             {"versionId":"v2","document":{{v2}},"createdAt":"2025-01-02T03:04:06+00:00"}]}
            """);

    public static string Problem(string code, string detail, string requestId = "req-1", string errors = "[]") => $$"""
        {"type":"https://nimbus.dev/problems/{{code}}","title":"{{code}}","status":400,"detail":"{{detail}}","code":"{{code}}","requestId":"{{requestId}}","errors":{{errors}}}
        """;
}
