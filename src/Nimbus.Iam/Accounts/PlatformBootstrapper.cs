using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.AccessKeys;

namespace Nimbus.Iam.Accounts;

/// <summary>
/// First start: creates the platform's <c>admin</c> account, its <c>admin</c> user and an
/// administrator access key, and writes them to <c>bootstrap-credentials.json</c> (0600).
/// Later starts only load the platform account and refresh the endpoint in that file.
/// </summary>
public sealed partial class PlatformBootstrapper(IResourceStore store, Principals.UserService users, AccessKeyService accessKeys, PlatformAccount platform, TimeProvider time, ILogger<PlatformBootstrapper> logger)
{
    public const string AdminName = "admin";
    public const string FileName = "bootstrap-credentials.json";
    private const string Namespace = "platform";
    private const string AccountKey = "admin-account";

    public async Task RunAsync(string dataDirectory, string endpoint, string s3Endpoint, string region, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var existing = await store.GetValueAsync(Namespace, AccountKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            platform.Set(Encoding.UTF8.GetString(existing));
            RefreshEndpoint(path, endpoint, s3Endpoint);
            return;
        }

        var (accountId, key, secret) = await store.WriteAsync(
            async (w, ct) =>
            {
                var now = time.GetUtcNow();
                var accountId = ResourceIds.NewAccountId();
                await w.CreateAsync(IamResources.New(IamKinds.Account, accountId, accountId, AdminName, new Dictionary<string, object>(), now), ct).ConfigureAwait(false);
                await AccountService.ReserveNameAsync(w, AdminName, accountId, ct).ConfigureAwait(false);
                await users.CreateAsync(w, accountId, AdminName, "/", null, null, ct, root: true).ConfigureAwait(false);
                var (key, secret) = await accessKeys.CreateAsync(w, accountId, AdminName, ct).ConfigureAwait(false);
                await w.PutValueAsync(Namespace, AccountKey, Encoding.UTF8.GetBytes(accountId), ct).ConfigureAwait(false);
                return (accountId, key, secret);
            },
            cancellationToken).ConfigureAwait(false);
        platform.Set(accountId);
        WriteCredentials(path, new BootstrapCredentials
        {
            Endpoint = endpoint,
            S3Endpoint = s3Endpoint,
            AccessKeyId = key.Id,
            SecretAccessKey = secret,
            Region = region,
            Account = accountId,
            UserName = AdminName,
        });
        LogBootstrapped(accountId, key.Id, path);
    }

    private void RefreshEndpoint(string path, string endpoint, string s3Endpoint)
    {
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var credentials = JsonSerializer.Deserialize<BootstrapCredentials>(File.ReadAllBytes(path), NimbusJson.Options);
            if (credentials is not null && (credentials.Endpoint != endpoint || credentials.S3Endpoint != s3Endpoint))
            {
                WriteCredentials(path, credentials with { Endpoint = endpoint, S3Endpoint = s3Endpoint });
            }
        }
        catch (JsonException ex)
        {
            LogUnreadable(ex, path);
        }
    }

    private static void WriteCredentials(string path, BootstrapCredentials credentials)
    {
        // Written to a 0600 temporary file first, then renamed: the secret is never readable by others, even for a moment.
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, credentials, new JsonSerializerOptions(NimbusJson.Options) { WriteIndented = true });
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Bootstrapped platform account {Account} with administrator access key {AccessKeyId}; credentials written to {Path}")]
    private partial void LogBootstrapped(string account, string accessKeyId, string path);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not read {Path} to refresh its endpoint")]
    private partial void LogUnreadable(Exception ex, string path);
}
