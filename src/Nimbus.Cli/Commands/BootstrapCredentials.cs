using System.Text.Json;
using Nimbus.Sdk;

namespace Nimbus.Cli.Commands;

/// <summary>The server's first-start file <c>&lt;data-dir&gt;/bootstrap-credentials.json</c>: the administrator's key.</summary>
internal sealed record BootstrapCredentials(string? Endpoint, string AccessKeyId, string SecretAccessKey, string? Region, string? S3Endpoint)
{
    public const string FileName = "bootstrap-credentials.json";

    public static BootstrapCredentials Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new CliUsageException(
                $"{path} does not exist: pass the server's data directory (the server writes this file on its first start, see `./nimbus up`).");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new BootstrapCredentials(
                Optional(root, "endpoint"),
                Optional(root, "accessKeyId") ?? throw Missing(path, "accessKeyId"),
                Optional(root, "secretAccessKey") ?? throw Missing(path, "secretAccessKey"),
                Optional(root, "region"),
                Optional(root, "s3Endpoint"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new NimbusConfigurationException($"{path} is not valid bootstrap credentials JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NimbusConfigurationException($"Cannot read {path}: {ex.Message}", ex);
        }
    }

    private static string? Optional(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim()
            : null;

    private static NimbusConfigurationException Missing(string path, string field) =>
        new($"{path} has no '{field}'.");
}
