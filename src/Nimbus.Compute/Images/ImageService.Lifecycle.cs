using System.Globalization;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Images;

/// <summary>What an image's owner changes: sharing, deprecation, deletion; and the guard runs take against a deletion.</summary>
public sealed partial class ImageService
{
    /// <summary>Key namespace of images whose deletion is being decided (value: when it began, UTC ticks).</summary>
    private const string DeletingNamespace = "compute.image-deleting";

    /// <summary>A deletion mark older than this is from a process that stopped midway; it no longer blocks runs.</summary>
    private static readonly TimeSpan DeletingMarkLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Shares the image with other accounts (they may list, get and run it) or stops sharing it.</summary>
    public async Task<Resource> ShareAsync(string account, string platformAccount, string idOrName, ShareImageRequest request, bool share, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var accounts = request.Accounts ?? [];
        if (accounts.Count is 0 or > MaxShares)
        {
            errors.Add("accounts", $"give 1 to {MaxShares} account ids");
        }

        foreach (var other in accounts)
        {
            if (other is not { Length: 12 } || other.AsSpan().ContainsAnyExcept("0123456789"))
            {
                errors.Add("accounts", $"'{other}' is not an account id (12 digits)");
            }
            else if (other == account)
            {
                errors.Add("accounts", "an image is always shared with its own account");
            }
        }

        errors.ThrowIfAny();
        return await ChangeAsync(account, platformAccount, idOrName, share ? "share" : "unshare", spec =>
        {
            var next = share
                ? spec.SharedWith.Union(accounts, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
                : spec.SharedWith.Except(accounts, StringComparer.Ordinal).ToList();
            if (next.Count > MaxShares)
            {
                throw NimbusException.Invalid("accounts", $"an image is shared with at most {MaxShares} accounts");
            }

            return spec with { SharedWith = next };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deprecates the image: it keeps working, new runs answer a warning naming the replacement.</summary>
    public async Task<Resource> DeprecateAsync(string account, string platformAccount, string idOrName, DeprecateImageRequest request, CancellationToken cancellationToken)
    {
        if (request.Replacement is { } replacement && await FindAsync(account, platformAccount, replacement, cancellationToken).ConfigureAwait(false) is null)
        {
            throw NimbusException.Invalid("replacement", $"'{replacement}' is not an image of this account, a public one or one shared with it");
        }

        var now = time.GetUtcNow();
        return await ChangeAsync(account, platformAccount, idOrName, "deprecate", spec => spec with { DeprecatedAt = spec.DeprecatedAt ?? now, Replacement = request.Replacement }, cancellationToken).ConfigureAwait(false);
    }

    public Task<Resource> UndeprecateAsync(string account, string platformAccount, string idOrName, CancellationToken cancellationToken) =>
        ChangeAsync(account, platformAccount, idOrName, "undeprecate", spec => spec with { DeprecatedAt = null, Replacement = null }, cancellationToken);

    /// <summary>The warning a run from <paramref name="image"/> answers, or null.</summary>
    public static string? DeprecationWarning(Resource image)
    {
        var spec = SpecOf(image);
        return spec.DeprecatedAt is { } since
            ? $"Image {image.Name} ({image.Id}) is deprecated since {since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
                + (spec.Replacement is { } replacement ? $"; use {replacement} instead." : "; its owner may delete it once no instance uses it.")
            : null;
    }

    /// <summary>
    /// Deletes an image of the account. Refused with <c>DependencyViolation</c> while any instance (of any account:
    /// shared images) that is not terminated uses it, and for built-in images. A deletion mark taken first, in its
    /// own unit, keeps new runs from slipping in between the check and the deletion (see <see cref="GuardUseAsync"/>).
    /// </summary>
    public async Task<Resource> DeleteAsync(string account, string platformAccount, string idOrName, CancellationToken cancellationToken)
    {
        var image = await OwnedAsync(account, platformAccount, idOrName, "delete", cancellationToken).ConfigureAwait(false);
        if (SpecOf(image).Source.StartsWith(BuiltInSourcePrefix, StringComparison.Ordinal))
        {
            throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, $"Image {image.Name} ({image.Id}) is built in; it cannot be deleted.");
        }

        if (image.DeletionRequestedAt is not null)
        {
            return image;
        }

        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.LockKeyAsync(DeletingNamespace, image.Id, ct).ConfigureAwait(false);
                await w.PutValueAsync(DeletingNamespace, image.Id, Encoding.UTF8.GetBytes(time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture)), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var users = await UsersAsync(image.Id, cancellationToken).ConfigureAwait(false);
            if (users.Count > 0)
            {
                var own = users.Where(i => i.Account == account).Select(i => i.Id).ToList();
                var others = users.Count - own.Count;
                var named = own.Count > 0 ? "instance(s) " + string.Join(", ", own.Take(20)) + (own.Count > 20 ? $" and {own.Count - 20} more" : "") : null;
                var foreign = others > 0 ? $"{others} instance(s) of accounts it is shared with" : null;
                throw new NimbusException(
                    ErrorCodes.DependencyViolation,
                    409,
                    $"Image {image.Name} ({image.Id}) is used by {string.Join(" and ", new[] { named, foreign }.Where(p => p is not null))}; terminate them first.");
            }

            return await store.WriteAsync(
                async (w, ct) =>
                {
                    await w.LockKeyAsync(DeletingNamespace, image.Id, ct).ConfigureAwait(false);
                    await w.DeleteValueAsync(DeletingNamespace, image.Id, ct).ConfigureAwait(false);
                    var current = await w.GetAsync(image.Id, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Image '{idOrName}'");
                    return current.DeletionRequestedAt is not null
                        ? current
                        : await w.UpdateAsync(current with { DeletionRequestedAt = time.GetUtcNow(), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.WriteAsync((w, ct) => w.DeleteValueAsync(DeletingNamespace, image.Id, ct), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Inside a run's unit of work: refuses an image that is being deleted. Serialized with the deletion's mark by the
    /// same key lock, so a run either commits before the mark (and the deletion sees its instance) or sees the mark.
    /// </summary>
    public async Task GuardUseAsync(IStoreWriter writer, string imageId, CancellationToken cancellationToken)
    {
        await writer.LockKeyAsync(DeletingNamespace, imageId, cancellationToken).ConfigureAwait(false);
        var current = await writer.GetAsync(imageId, cancellationToken).ConfigureAwait(false);
        var mark = await writer.GetValueAsync(DeletingNamespace, imageId, cancellationToken).ConfigureAwait(false);
        var marked = mark is not null && long.TryParse(Encoding.UTF8.GetString(mark), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && time.GetUtcNow().UtcTicks - ticks < DeletingMarkLifetime.Ticks;
        if (current is null || current.DeletionRequestedAt is not null || marked)
        {
            throw new NimbusException(ErrorCodes.Conflict, 409, $"Image {imageId} is being deleted; choose another image.");
        }
    }

    /// <summary>Instances of any account that are not terminated and run from the image.</summary>
    private async Task<List<Resource>> UsersAsync(string imageId, CancellationToken cancellationToken)
    {
        var users = new List<Resource>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = ComputeKinds.Instance, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            users.AddRange(page.Items.Where(i => i.Status.Phase != Instances.InstanceStates.Terminated && Instances.InstanceService.SpecOf(i).ImageId == imageId));
            token = page.NextPageToken;
        }
        while (token is not null);
        return users;
    }

    private async Task<Resource> ChangeAsync(string account, string platformAccount, string idOrName, string verb, Func<ImageSpec, ImageSpec> change, CancellationToken cancellationToken)
    {
        var image = await OwnedAsync(account, platformAccount, idOrName, verb, cancellationToken).ConfigureAwait(false);
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var current = await w.GetAsync(image.Id, ct).ConfigureAwait(false);
                if (current is null || current.DeletionRequestedAt is not null)
                {
                    throw NimbusException.NotFound($"Image '{idOrName}'");
                }

                var spec = SpecOf(current);
                var next = change(spec);
                if (JsonSerializer.Serialize(next, NimbusJson.Options) == JsonSerializer.Serialize(spec, NimbusJson.Options))
                {
                    return current;
                }

                return await w.UpdateAsync(current with { Spec = JsonSerializer.SerializeToElement(next, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The image, when the caller owns it; <c>AccessDenied</c> for an image it only sees (public, shared); <c>NotFound</c> otherwise.</summary>
    private async Task<Resource> OwnedAsync(string account, string platformAccount, string idOrName, string verb, CancellationToken cancellationToken)
    {
        var image = await GetAsync(account, platformAccount, idOrName, cancellationToken).ConfigureAwait(false);
        if (image.Account != account)
        {
            throw NimbusException.AccessDenied($"Image {image.Name} ({image.Id}) belongs to account {image.Account}; only its owner can {verb} it.");
        }

        return image;
    }
}
