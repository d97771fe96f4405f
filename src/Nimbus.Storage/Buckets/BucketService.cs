using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Storage;
using Nimbus.Core.Api;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Storage.Engine;
using Nimbus.Storage.S3;

namespace Nimbus.Storage.Buckets;

/// <summary>
/// Buckets, behind both doors (S3 and <c>/v1/storage/buckets</c>): resources of kind <c>storage/bucket</c>
/// in the resource store, with a platform-wide name reservation (bucket names are global, as in S3) and the
/// <c>storage.buckets</c> quota taken in the same transaction. Lookups by name are cached: this node serves
/// every S3 request of its buckets, and every change goes through here.
/// </summary>
public sealed class BucketService
{
    public const string Kind = "storage/bucket";
    public const string IdPrefix = "bkt";

    /// <summary>Prefix of bucket and object resource names in policies (AWS's <c>arn:aws:s3:::</c>).</summary>
    public const string ArnPrefix = "nrn:nimbus:s3:::";

    private const string NameNamespace = "storage.bucket-name";

    private readonly IResourceStore _store;
    private readonly QuotaService _quotas;
    private readonly TimeProvider _time;
    private readonly StorageOptions _options;
    private readonly ConcurrentDictionary<string, BucketEntry> _cache = new(StringComparer.Ordinal);

    internal BucketService(IResourceStore store, QuotaService quotas, TimeProvider time, StorageOptions options, ObjectEngine engine)
    {
        _store = store;
        _quotas = quotas;
        _time = time;
        _options = options;
        Engine = engine;
    }

    internal ObjectEngine Engine { get; }

    public string Region => _options.Region;

    /// <summary>Creates a bucket for <paramref name="account"/>; S3 errors (<c>InvalidBucketName</c>, <c>BucketAlreadyExists</c>, <c>BucketAlreadyOwnedByYou</c>) or <c>QuotaExceeded</c>.</summary>
    public async Task<Resource> CreateAsync(string account, string name, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        if (BucketNames.Problem(name) is { } problem)
        {
            throw S3Errors.InvalidBucketName(name, problem);
        }

        var errors = new FieldErrors();
        CommonValidation.Tags(errors, "tags", tags);
        errors.ThrowIfAny();
        var now = _time.GetUtcNow();
        var resource = new Resource
        {
            Id = ResourceIds.New(IdPrefix),
            Kind = Kind,
            Account = account,
            Region = _options.Region,
            Name = name,
            Tags = tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Spec = JsonSerializer.SerializeToElement(new BucketSpec { Region = _options.Region }, NimbusJson.Options),
            Status = new ResourceStatus { Phase = ResourcePhases.Ready },
            CreatedAt = now,
            UpdatedAt = now,
        };
        var created = await _store.WriteAsync(
            async (w, ct) =>
            {
                await w.LockKeyAsync(NameNamespace, name, ct).ConfigureAwait(false);
                var existing = await w.GetValueAsync(NameNamespace, name, ct).ConfigureAwait(false);
                if (existing is not null)
                {
                    var owner = await w.GetAsync(Encoding.UTF8.GetString(existing), ct).ConfigureAwait(false);
                    throw owner?.Account == account ? S3Errors.BucketAlreadyOwnedByYou(name) : S3Errors.BucketAlreadyExists(name);
                }

                await _quotas.ConsumeAsync(w, account, StorageQuotas.Buckets.Code, 1, ct).ConfigureAwait(false);
                await w.PutValueAsync(NameNamespace, name, Encoding.UTF8.GetBytes(resource.Id), ct).ConfigureAwait(false);
                return await w.CreateAsync(resource, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        _cache[name] = ToEntry(created);
        return created;
    }

    /// <summary>The bucket named <paramref name="name"/>, whoever owns it; null when there is none.</summary>
    public async ValueTask<BucketEntry?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var id = await _store.GetValueAsync(NameNamespace, name, cancellationToken).ConfigureAwait(false);
        if (id is null)
        {
            return null;
        }

        var resource = await _store.GetAsync(Encoding.UTF8.GetString(id), cancellationToken).ConfigureAwait(false);
        if (resource is not { Kind: Kind })
        {
            return null;
        }

        var entry = ToEntry(resource);
        _cache[name] = entry;
        return entry;
    }

    /// <summary>The bucket named <paramref name="name"/> owned by <paramref name="account"/>, or <c>NoSuchBucket</c>.</summary>
    public async Task<BucketEntry> GetOwnedAsync(string account, string name, CancellationToken cancellationToken)
    {
        var entry = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        return entry is null || entry.Account != account ? throw S3Errors.NoSuchBucket(name) : entry;
    }

    public async Task<Resource> GetResourceAsync(BucketEntry entry, CancellationToken cancellationToken) =>
        await _store.GetAsync(entry.Id, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(entry.Name);

    /// <summary>Every bucket of an account, by creation.</summary>
    public async Task<IReadOnlyList<Resource>> ListAsync(string account, CancellationToken cancellationToken)
    {
        var all = new List<Resource>();
        string? token = null;
        do
        {
            var page = await _store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>Deletes an empty bucket (<c>BucketNotEmpty</c> otherwise); uploads in progress are aborted with it.</summary>
    public async Task DeleteAsync(string account, string name, CancellationToken cancellationToken)
    {
        var entry = await GetOwnedAsync(account, name, cancellationToken).ConfigureAwait(false);
        await Engine.SealBucketAsync(entry.Id, name).ConfigureAwait(false);
        try
        {
            await _store.WriteAsync(
                async (w, ct) =>
                {
                    await _quotas.ReleaseAsync(w, account, StorageQuotas.Buckets.Code, 1, ct).ConfigureAwait(false);
                    await w.DeleteValueAsync(NameNamespace, name, ct).ConfigureAwait(false);
                    await w.DeleteAsync(entry.Id, null, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Engine.UnsealBucket(entry.Id);
            throw;
        }

        _cache.TryRemove(name, out _);
        await Engine.DropBucketAsync(entry.Id, account).ConfigureAwait(false);
    }

    /// <summary>Changes a bucket's spec and tags (policy, versioning, CORS, lifecycle, tagging) with optimistic concurrency, retried on conflict.</summary>
    public async Task<BucketEntry> UpdateAsync(BucketEntry entry, Func<BucketSpec, BucketSpec> spec, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>>? tags, CancellationToken cancellationToken)
    {
        var updated = await _store.WriteAsync(
            async (w, ct) =>
            {
                var current = await w.GetAsync(entry.Id, ct).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(entry.Name);
                var currentSpec = current.Spec.Deserialize<BucketSpec>(NimbusJson.Options)!;
                return await w.UpdateAsync(
                    current with
                    {
                        Spec = JsonSerializer.SerializeToElement(spec(currentSpec), NimbusJson.Options),
                        Tags = tags is null ? current.Tags : tags(current.Tags),
                        UpdatedAt = _time.GetUtcNow(),
                    },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        var fresh = ToEntry(updated);
        _cache[entry.Name] = fresh;
        return fresh;
    }

    /// <summary>The resource as the REST API shows it: with the bucket's usage in <c>status.details</c>.</summary>
    public Resource WithUsage(Resource resource)
    {
        var (objects, bytes) = Engine.UsageOf(resource.Id);
        return resource with
        {
            Status = resource.Status with
            {
                Details = JsonSerializer.SerializeToElement(new BucketUsageDto { Objects = objects, Bytes = bytes }, NimbusJson.Options),
            },
        };
    }

    private static BucketEntry ToEntry(Resource resource) => new()
    {
        Id = resource.Id,
        Name = resource.Name,
        Account = resource.Account,
        CreatedAt = resource.CreatedAt,
        Spec = resource.Spec.Deserialize<BucketSpec>(NimbusJson.Options) ?? new BucketSpec { Region = resource.Region },
        Tags = resource.Tags,
        Version = resource.Version,
    };
}
