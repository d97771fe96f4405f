using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Images;

/// <summary>
/// Images (kind <c>compute/image</c>): an account's own, and the public built-in ones owned by the platform account
/// that every account sees. The built-in <c>busybox</c> image is declared at first start; its controller builds the
/// root filesystem from Debian's busybox-static, without network.
/// </summary>
public sealed class ImageService(IResourceStore store, ComputeOptions options, TimeProvider time)
{
    public const string Available = "available";
    public const string BusyboxName = "busybox";

    /// <summary>Declares the built-in images in <paramref name="platformAccount"/> unless they exist. Idempotent.</summary>
    public async Task EnsureBuiltInAsync(string platformAccount, CancellationToken cancellationToken)
    {
        if (await store.GetByNameAsync(platformAccount, ComputeKinds.Image, BusyboxName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var spec = new ImageSpec
        {
            Description = "BusyBox userland from Debian's busybox-static: sh, httpd, wget, nc, ip and 300 more applets",
            Os = "linux",
            Architecture = NodeArchitecture(),
            Source = "builtin:" + BusyboxName,
            DefaultCommand = [],
            Environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
            Public = true,
        };
        var resource = new Resource
        {
            Id = ResourceIds.New(ComputeKinds.ImagePrefix),
            Kind = ComputeKinds.Image,
            Account = platformAccount,
            Region = options.Region,
            Name = BusyboxName,
            Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await store.WriteAsync((w, ct) => w.CreateAsync(resource, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (NimbusException ex) when (ex.Code == Contracts.Errors.ErrorCodes.AlreadyExists)
        {
            // Another replica declared it first.
        }
    }

    /// <summary>An image the account may use: its own, or a public one; by id or by name (own names first).</summary>
    public async Task<Resource?> FindAsync(string account, string platformAccount, string idOrName, CancellationToken cancellationToken)
    {
        if (idOrName.StartsWith(ComputeKinds.ImagePrefix + "-", StringComparison.Ordinal))
        {
            var byId = await store.GetAsync(idOrName, cancellationToken).ConfigureAwait(false);
            return byId is { Kind: ComputeKinds.Image } && (byId.Account == account || IsPublic(byId)) ? byId : null;
        }

        var own = await store.GetByNameAsync(account, ComputeKinds.Image, idOrName, cancellationToken).ConfigureAwait(false);
        if (own is not null)
        {
            return own;
        }

        var shared = await store.GetByNameAsync(platformAccount, ComputeKinds.Image, idOrName, cancellationToken).ConfigureAwait(false);
        return shared is not null && IsPublic(shared) ? shared : null;
    }

    public async Task<Resource> GetAsync(string account, string platformAccount, string idOrName, CancellationToken cancellationToken) =>
        await FindAsync(account, platformAccount, idOrName, cancellationToken).ConfigureAwait(false)
        ?? throw NimbusException.NotFound($"Image '{idOrName}'");

    /// <summary>The account's images followed by the public ones.</summary>
    public async Task<IReadOnlyList<Resource>> ListAsync(string account, string platformAccount, CancellationToken cancellationToken)
    {
        var all = await ListAccountAsync(account, cancellationToken).ConfigureAwait(false);
        if (account != platformAccount)
        {
            all.AddRange((await ListAccountAsync(platformAccount, cancellationToken).ConfigureAwait(false)).Where(IsPublic));
        }

        return all;
    }

    public static ImageSpec SpecOf(Resource image) => image.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!;

    public static bool IsPublic(Resource image) => SpecOf(image).Public;

    private async Task<List<Resource>> ListAccountAsync(string account, CancellationToken cancellationToken)
    {
        var all = new List<Resource>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = ComputeKinds.Image, Account = account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>This machine's CPU architecture in OCI's words (<c>amd64</c>, <c>arm64</c>).</summary>
    public static string NodeArchitecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
