using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

/// <summary>
/// The behaviour every <see cref="IResourceStore"/> engine must have. Each derived class runs all of
/// it against one engine, each test on fresh storage.
/// </summary>
public abstract partial class ResourceStoreContract : IAsyncLifetime
{
    protected const string Account = "123456789012";
    protected const string OtherAccount = "210987654321";
    protected const string Kind = "demo/widget";
    protected const string OtherKind = "demo/gadget";

    /// <summary>An API-edge time with sub-millisecond ticks, so that truncation anywhere shows.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);

    private IResourceStore? _store;

    protected ManualClock Clock { get; } = new();

    protected IResourceStore Store => _store ?? throw new InvalidOperationException("The store is not open.");

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, uninitialized store instance on this test's storage (the same storage every call).</summary>
    protected abstract IResourceStore CreateStore();

    protected virtual Task PrepareStorageAsync() => Task.CompletedTask;

    protected virtual Task RemoveStorageAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareStorageAsync();
        _store = await OpenAsync();
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await RemoveStorageAsync();
    }

    protected async Task<IResourceStore> OpenAsync()
    {
        var store = CreateStore();
        await store.InitializeAsync(Ct);
        return store;
    }

    /// <summary>Disposes the store and opens a new instance on the same storage.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = await OpenAsync();
    }

    protected static Resource NewWidget(
        string? name = null,
        string account = Account,
        string kind = Kind,
        ImmutableSortedDictionary<string, string>? tags = null,
        string spec = """{"size":3}""")
    {
        var id = ResourceIds.New("w");
        return new Resource
        {
            Id = id,
            Kind = kind,
            Account = account,
            Region = "local-1",
            Name = name ?? "widget-" + id,
            Tags = tags ?? ImmutableSortedDictionary<string, string>.Empty,
            Spec = Json(spec),
            CreatedAt = T0,
            UpdatedAt = T0,
        };
    }

    protected static ImmutableSortedDictionary<string, string> Tags(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableSortedDictionary(p => p.Key, p => p.Value);

    protected static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    protected Task<Resource> CreateAsync(Resource resource) =>
        Store.WriteAsync((writer, ct) => writer.CreateAsync(resource, ct), Ct);

    protected Task<Resource> UpdateAsync(Resource resource) =>
        Store.WriteAsync((writer, ct) => writer.UpdateAsync(resource, ct), Ct);

    protected async Task<IReadOnlyList<ChangeEvent>> AllChangesAsync() => await Store.ReadChangesAsync(0, 100_000, Ct);

    protected static async Task<NimbusException> ShouldFailWithAsync(Func<Task> action, string code, int status)
    {
        var error = await Should.ThrowAsync<NimbusException>(action);
        error.Code.ShouldBe(code);
        error.Status.ShouldBe(status);
        return error;
    }

    /// <summary>Field by field: records holding JsonElement and ImmutableArray compare by reference.</summary>
    protected static void ShouldMatch(Resource? actual, Resource expected)
    {
        actual.ShouldNotBeNull();
        actual.Id.ShouldBe(expected.Id);
        actual.Kind.ShouldBe(expected.Kind);
        actual.Account.ShouldBe(expected.Account);
        actual.Region.ShouldBe(expected.Region);
        actual.Name.ShouldBe(expected.Name);
        actual.Tags.ToArray().ShouldBe(expected.Tags.ToArray());
        actual.Spec.GetRawText().ShouldBe(expected.Spec.GetRawText());
        ShouldMatch(actual.Status, expected.Status);
        actual.Version.ShouldBe(expected.Version);
        actual.CreatedAt.ShouldBe(expected.CreatedAt);
        actual.UpdatedAt.ShouldBe(expected.UpdatedAt);
        actual.DeletionRequestedAt.ShouldBe(expected.DeletionRequestedAt);
    }

    protected static void ShouldMatch(ResourceStatus actual, ResourceStatus expected)
    {
        actual.Phase.ShouldBe(expected.Phase);
        actual.Message.ShouldBe(expected.Message);
        actual.ObservedVersion.ShouldBe(expected.ObservedVersion);
        actual.Conditions.ToArray().ShouldBe(expected.Conditions.ToArray());
        actual.Details.HasValue.ShouldBe(expected.Details.HasValue);
        if (expected.Details is { } details)
        {
            JsonElement.DeepEquals(actual.Details!.Value, details).ShouldBeTrue();
        }
    }
}
