using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Nimbus.Compute.Instances;
using Nimbus.Compute.Networking;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Metadata;

/// <summary>
/// The instance metadata service at 169.254.169.254, EC2's paths: the caller is the instance whose private address
/// the request comes from (the bridge's anti-spoofing rules make that trustworthy). IMDSv1 (plain GET) is allowed
/// unless the instance was run with <c>metadataTokens: required</c>; IMDSv2 tokens come from <c>PUT /latest/api/token</c>.
/// Answers are <c>text/plain</c> (lists one entry a line, directories with a trailing <c>/</c>) or JSON for credentials.
/// </summary>
public sealed class MetadataHandler(IResourceStore store, DefaultNetwork network, MetadataTokens tokens, InstanceProfileCredentials credentials, ComputeOptions options)
{
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string TokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

    public async Task HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ct = http.RequestAborted;
        http.Response.Headers.Server = "Nimbus";
        var remote = http.Connection.RemoteIpAddress;
        var allocation = remote is null ? null : await network.FindAsync(remote, ct).ConfigureAwait(false);
        var instance = allocation is null ? null : await store.GetAsync(allocation.InstanceId, ct).ConfigureAwait(false);
        if (instance is null || instance.Kind != ComputeKinds.Instance || instance.Status.Phase == InstanceStates.Terminated)
        {
            await TextAsync(http, 403, "Forbidden: the metadata service answers instances only\n").ConfigureAwait(false);
            return;
        }

        var spec = InstanceService.SpecOf(instance);
        var address = spec.NetworkInterface!.PrivateIpAddress;
        var path = http.Request.Path.Value ?? "/";
        if (path == "/latest/api/token")
        {
            await IssueTokenAsync(http, instance.Id, address).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, HEAD";
            await TextAsync(http, 405, "Method Not Allowed\n").ConfigureAwait(false);
            return;
        }

        var token = http.Request.Headers[TokenHeader].ToString();
        if (token.Length > 0 ? !tokens.IsValid(token, instance.Id, address) : spec.MetadataTokens == "required")
        {
            await TextAsync(http, 401, token.Length > 0 ? "Unauthorized: the token is not valid (expired, or not this instance's)\n" : "Unauthorized: this instance requires IMDSv2 tokens (PUT /latest/api/token)\n").ConfigureAwait(false);
            return;
        }

        var key = path.TrimEnd('/');
        switch (key)
        {
            case "":
                await TextAsync(http, 200, "latest\n").ConfigureAwait(false);
                return;
            case "/latest":
                await TextAsync(http, 200, spec.UserData is null ? "dynamic\nmeta-data\n" : "dynamic\nmeta-data\nuser-data\n").ConfigureAwait(false);
                return;
            case "/latest/user-data":
                await (spec.UserData is null ? TextAsync(http, 404, "Not Found\n") : TextAsync(http, 200, spec.UserData)).ConfigureAwait(false);
                return;
            case "/latest/dynamic":
                await TextAsync(http, 200, "instance-identity/\n").ConfigureAwait(false);
                return;
            case "/latest/dynamic/instance-identity":
                await TextAsync(http, 200, "document\n").ConfigureAwait(false);
                return;
            case "/latest/dynamic/instance-identity/document":
                await JsonAsync(http, w => IdentityDocument(w, instance, spec)).ConfigureAwait(false);
                return;
            default:
                break;
        }

        const string metaData = "/latest/meta-data";
        if (key != metaData && !key.StartsWith(metaData + "/", StringComparison.Ordinal))
        {
            await TextAsync(http, 404, "Not Found\n").ConfigureAwait(false);
            return;
        }

        var item = key.Length == metaData.Length ? "" : key[(metaData.Length + 1)..];
        if (item.StartsWith("iam/security-credentials/", StringComparison.Ordinal) && spec.IamRoleName is { } role && item["iam/security-credentials/".Length..] == role)
        {
            var issued = await credentials.GetAsync(instance, spec, address, path, ct).ConfigureAwait(false);
            await JsonAsync(http, w => CredentialsDocument(w, issued)).ConfigureAwait(false);
            return;
        }

        var answer = MetaData(instance, spec, item);
        await (answer is null ? TextAsync(http, 404, "Not Found\n") : TextAsync(http, 200, answer)).ConfigureAwait(false);
    }

    private string? MetaData(Resource instance, InstanceSpec spec, string item)
    {
        var nic = spec.NetworkInterface!;
        switch (item)
        {
            case "":
                var index = new StringBuilder("ami-id\nhostname\n");
                if (spec.IamRoleName is not null)
                {
                    index.Append("iam/\n");
                }

                index.Append("instance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\nplacement/\ntags/\n");
                return index.ToString();
            case "ami-id":
                return spec.ImageId;
            case "hostname" or "local-hostname":
                return spec.Hostname;
            case "instance-id":
                return instance.Id;
            case "instance-type":
                return spec.InstanceType;
            case "local-ipv4":
                return nic.PrivateIpAddress;
            case "mac":
                return nic.MacAddress;
            case "placement":
                return "region\n";
            case "placement/region":
                return options.Region;
            case "tags":
                return "instance/\n";
            case "tags/instance":
                return string.Concat(instance.Tags.Keys.Select(k => k + "\n"));
            case "iam" when spec.IamRoleName is not null:
                return "info\nsecurity-credentials/\n";
            case "iam/security-credentials" when spec.IamRoleName is not null:
                return spec.IamRoleName + "\n";
            case "iam/info" when spec.IamRoleName is not null:
                return InfoDocument(instance, spec);
            default:
                break;
        }

        const string tagPrefix = "tags/instance/";
        return item.StartsWith(tagPrefix, StringComparison.Ordinal) && instance.Tags.TryGetValue(item[tagPrefix.Length..], out var value) ? value : null;
    }

    private async Task IssueTokenAsync(HttpContext http, string instanceId, string address)
    {
        if (!HttpMethods.IsPut(http.Request.Method))
        {
            http.Response.Headers.Allow = "PUT";
            await TextAsync(http, 405, "Method Not Allowed\n").ConfigureAwait(false);
            return;
        }

        // As EC2 does: a request that went through a proxy is refused, so a misconfigured proxy on the instance cannot hand out its tokens.
        if (http.Request.Headers.ContainsKey("X-Forwarded-For"))
        {
            await TextAsync(http, 403, "Forbidden: X-Forwarded-For is not accepted\n").ConfigureAwait(false);
            return;
        }

        var ttlText = http.Request.Headers[TokenTtlHeader].ToString();
        if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < MetadataTokens.MinTtlSeconds or > MetadataTokens.MaxTtlSeconds)
        {
            await TextAsync(http, 400, $"Bad Request: {TokenTtlHeader} must be from {MetadataTokens.MinTtlSeconds} to {MetadataTokens.MaxTtlSeconds} seconds\n").ConfigureAwait(false);
            return;
        }

        http.Response.Headers[TokenTtlHeader] = ttl.ToString(CultureInfo.InvariantCulture);
        await TextAsync(http, 200, tokens.Issue(instanceId, address, ttl)).ConfigureAwait(false);
    }

    private static void CredentialsDocument(Utf8JsonWriter json, InstanceProfileCredentials.Issued issued)
    {
        json.WriteStartObject();
        if (issued.Credentials is { } credentials)
        {
            json.WriteString("Code", "Success");
            json.WriteString("LastUpdated", Timestamp(issued.At));
            json.WriteString("Type", "AWS-HMAC");
            json.WriteString("AccessKeyId", credentials.AccessKeyId);
            json.WriteString("SecretAccessKey", credentials.SecretAccessKey);
            json.WriteString("Token", credentials.SessionToken);
            json.WriteString("Expiration", Timestamp(credentials.Expiration));
        }
        else
        {
            json.WriteString("Code", issued.ErrorCode);
            json.WriteString("Message", issued.Message);
            json.WriteString("LastUpdated", Timestamp(issued.At));
        }

        json.WriteEndObject();
    }

    private static string InfoDocument(Resource instance, InstanceSpec spec)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("Code", "Success");
            json.WriteString("LastUpdated", Timestamp(instance.UpdatedAt));
            json.WriteString("InstanceProfileArn", Nrn.Format(Nimbus.Iam.IamKinds.Role, Nimbus.Iam.IamKinds.GlobalRegion, instance.Account, spec.IamRoleId!));
            json.WriteString("InstanceProfileId", spec.IamRoleId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void IdentityDocument(Utf8JsonWriter json, Resource instance, InstanceSpec spec)
    {
        json.WriteStartObject();
        json.WriteString("accountId", instance.Account);
        json.WriteString("architecture", "x86_64");
        json.WriteString("imageId", spec.ImageId);
        json.WriteString("instanceId", instance.Id);
        json.WriteString("instanceType", spec.InstanceType);
        json.WriteString("pendingTime", Timestamp(instance.CreatedAt));
        json.WriteString("privateIp", spec.NetworkInterface!.PrivateIpAddress);
        json.WriteString("region", options.Region);
        json.WriteString("version", "2017-09-30");
        json.WriteEndObject();
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task JsonAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task TextAsync(HttpContext http, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
        }
    }
}
