using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Server.Hosting;

namespace Nimbus.Server.Demo;

/// <summary>Validation and desired-state writes of widgets: the shape every service copies.</summary>
public sealed class WidgetService(IResourceStore store, QuotaService quotas, TimeProvider time, NimbusServerOptions options)
{
    public const string Kind = "demo/widget";
    public const string IdPrefix = "wdg";
    public const int MaxMessageLength = 4096;
    public const int MaxCopies = 100;

    /// <summary>Widgets per account; the resource counts from create until the controller removed it.</summary>
    public static readonly QuotaDefinition Quota = new()
    {
        Code = "demo.widgets",
        Description = "Widgets per account, counted until a deleted widget is really gone",
        DefaultLimit = 1000,
        Unit = "widgets",
    };

    public string Region => options.Region;

    public async Task<Resource> CreateAsync(string account, CreateWidgetRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        CommonValidation.Name(errors, "name", request.Name);
        ValidateTags(errors, request.Tags);
        ValidateSpec(errors, request.Spec);
        errors.ThrowIfAny();
        var now = time.GetUtcNow();
        var resource = new Resource
        {
            Id = ResourceIds.New(IdPrefix),
            Kind = Kind,
            Account = account,
            Region = options.Region,
            Name = request.Name,
            Tags = ToTags(request.Tags),
            Spec = JsonSerializer.SerializeToElement(request.Spec, NimbusJson.Options),
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await store.WriteAsync(
            async (w, ct) =>
            {
                if (await w.GetByNameAsync(account, Kind, request.Name, ct).ConfigureAwait(false) is not null)
                {
                    throw NimbusException.AlreadyExists($"Widget '{request.Name}'");
                }

                await quotas.ConsumeAsync(w, account, Quota.Code, 1, ct).ConfigureAwait(false);
                return await w.CreateAsync(resource, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken)
    {
        var resource = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return Owned(resource, account, id);
    }

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    public Task<Resource> UpdateAsync(string account, string id, UpdateWidgetRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Version < 1)
        {
            errors.Add("version", "is required: send the version you read");
        }

        ValidateTags(errors, request.Tags);
        ValidateSpec(errors, request.Spec);
        errors.ThrowIfAny();
        return store.WriteAsync(
            async (w, ct) =>
            {
                var current = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                if (current.DeletionRequestedAt is not null)
                {
                    throw new NimbusException(Contracts.Errors.ErrorCodes.Conflict, 409, $"Widget {id} is being deleted.");
                }

                if (current.Version != request.Version)
                {
                    throw NimbusException.VersionConflict(id, request.Version, current.Version);
                }

                return await w.UpdateAsync(
                    current with
                    {
                        Spec = JsonSerializer.SerializeToElement(request.Spec, NimbusJson.Options),
                        Tags = request.Tags is null ? current.Tags : ToTags(request.Tags),
                        UpdatedAt = time.GetUtcNow(),
                    },
                    ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>Asks for deletion: the controller removes the widget's file, then the resource.</summary>
    public Task<Resource> RequestDeletionAsync(string account, string id, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (w, ct) =>
            {
                var current = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                if (current.DeletionRequestedAt is not null)
                {
                    return current;
                }

                var now = time.GetUtcNow();
                return await w.UpdateAsync(current with { DeletionRequestedAt = now, UpdatedAt = now }, ct).ConfigureAwait(false);
            },
            cancellationToken);

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != Kind || resource.Account != account ? throw NimbusException.NotFound($"Widget '{id}'") : resource;

    private static void ValidateSpec(FieldErrors errors, WidgetSpec? spec)
    {
        if (spec is null)
        {
            errors.Add("spec", "is required");
            return;
        }

        if (string.IsNullOrEmpty(spec.Message) || spec.Message.Length > MaxMessageLength)
        {
            errors.Add("spec.message", $"must be 1 to {MaxMessageLength} characters");
        }

        if (spec.Copies is < 1 or > MaxCopies)
        {
            errors.Add("spec.copies", $"must be from 1 to {MaxCopies}");
        }
    }

    private static void ValidateTags(FieldErrors errors, IReadOnlyDictionary<string, string>? tags)
    {
        CommonValidation.Tags(errors, "tags", tags);
        foreach (var key in tags?.Keys ?? [])
        {
            if (key.StartsWith("nimbus:", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"tags.{key}", "the 'nimbus:' prefix is reserved for the platform");
            }
        }
    }

    private static ImmutableSortedDictionary<string, string> ToTags(IReadOnlyDictionary<string, string>? tags) =>
        tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal);
}
