using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Storage;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Images;

/// <summary>
/// Images (kind <c>compute/image</c>): an account's own, the public built-in ones owned by the platform account that
/// every account sees, and those other accounts shared with it. The built-in <c>busybox</c> image is declared at
/// first start; imports, builds and images of instances are declared here and made on the node by the controller.
/// </summary>
public sealed partial class ImageService(IResourceStore store, QuotaService quotas, ComputeOptions options, TimeProvider time, IObjectStorageReader? objects = null)
{
    public const string Available = "available";
    public const string BusyboxName = "busybox";
    public const string ImportSource = "import";
    public const string BuildSourcePrefix = "build:";
    public const string InstanceSourcePrefix = "instance:";
    public const string BuiltInSourcePrefix = "builtin:";
    public const int MaxShares = 100;

    /// <summary>What <c>image build</c> can make.</summary>
    public static readonly IReadOnlyList<string> BuildRecipes = ["debian-12"];

    private static readonly string[] DefaultEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"];

    /// <summary>Declares the built-in images in <paramref name="platformAccount"/> unless they exist. Idempotent.</summary>
    public async Task EnsureBuiltInAsync(string platformAccount, CancellationToken cancellationToken)
    {
        if (await store.GetByNameAsync(platformAccount, ComputeKinds.Image, BusyboxName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var spec = new ImageSpec
        {
            Description = "BusyBox userland from Debian's busybox-static: sh, httpd, wget, nc, ip and 300 more applets",
            Os = "linux",
            Architecture = NodeArchitecture(),
            Source = BuiltInSourcePrefix + BusyboxName,
            DefaultCommand = [],
            Environment = DefaultEnvironment,
            Public = true,
        };
        try
        {
            await store.WriteAsync((w, ct) => w.CreateAsync(NewImage(platformAccount, BusyboxName, spec), ct), cancellationToken).ConfigureAwait(false);
        }
        catch (NimbusException ex) when (ex.Code == ErrorCodes.AlreadyExists)
        {
            // Another replica declared it first.
        }
    }

    /// <summary>
    /// Stores an uploaded archive (streamed to disk, at most <see cref="ComputeOptions.MaxImageUploadBytes"/>) and
    /// declares the image; the controller unpacks it. A failed or tampered upload leaves nothing.
    /// </summary>
    public async Task<Resource> ImportAsync(string account, string? name, string? description, Stream body, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateName(errors, name);
        ValidateDescription(errors, description);
        errors.ThrowIfAny();
        await RequireFreeNameAsync(account, name!, cancellationToken).ConfigureAwait(false);

        var spec = new ImageSpec { Description = description, Os = "linux", Architecture = NodeArchitecture(), Source = ImportSource, Environment = DefaultEnvironment };
        var image = NewImage(account, name!, spec);
        var upload = UploadPath(image.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
        try
        {
            await using (var file = new FileStream(upload, FileMode.CreateNew, FileAccess.Write, FileShare.None, 256 * 1024, useAsync: true))
            {
                // Bounded memory: one buffer at a time to disk. Kestrel enforces the size limit while we read, this
                // loop again for requests whose limit a proxy or a test host did not apply.
                var buffer = new byte[256 * 1024];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > options.MaxImageUploadBytes)
                    {
                        throw new NimbusException(ErrorCodes.RequestTooLarge, 413, $"The image archive is larger than the limit of {options.MaxImageUploadBytes} bytes.");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                if (total == 0)
                {
                    throw NimbusException.Invalid("body", "is empty: send the archive (tar, tar.gz or OCI image archive) as the request body");
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return await CreateAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(upload);
            throw;
        }
    }

    /// <summary>Declares an image the node builds from a recipe (<c>debian-12</c>).</summary>
    public async Task<Resource> BuildAsync(string account, BuildImageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.Recipe) || !BuildRecipes.Contains(request.Recipe))
        {
            errors.Add("recipe", $"must be one of {string.Join(", ", BuildRecipes)}");
        }

        var name = request.Name ?? request.Recipe;
        ValidateName(errors, name);
        ValidateDescription(errors, request.Description);
        errors.ThrowIfAny();
        var spec = new ImageSpec
        {
            Description = request.Description ?? $"Debian 12 (bookworm), minbase, built with debootstrap",
            Os = "linux",
            Architecture = NodeArchitecture(),
            Source = BuildSourcePrefix + request.Recipe,
            Environment = [.. DefaultEnvironment, "LANG=C.UTF-8"],
        };
        return await CreateAsync(NewImage(account, name!, spec), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Declares an image of a stopped instance: its disk on its image, flattened by the node.</summary>
    public async Task<Resource> CreateFromInstanceAsync(string account, CreateImageFromInstanceRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.InstanceId))
        {
            errors.Add("instanceId", "is required: the id of a stopped instance");
        }

        ValidateName(errors, request.Name);
        ValidateDescription(errors, request.Description);
        errors.ThrowIfAny();
        var instance = await store.GetAsync(request.InstanceId!, cancellationToken).ConfigureAwait(false);
        if (instance is null || instance.Kind != ComputeKinds.Instance || instance.Account != account)
        {
            throw NimbusException.NotFound($"Instance '{request.InstanceId}'");
        }

        var instanceSpec = Instances.InstanceService.SpecOf(instance);
        var phase = instance.Status.Phase;
        if (phase is not (Instances.InstanceStates.Stopped or Instances.InstanceStates.Failed) || instanceSpec.DesiredState == Instances.InstanceStates.Terminated
            || (instanceSpec.DesiredState == Instances.InstanceStates.Running && phase == Instances.InstanceStates.Stopped))
        {
            throw ComputeErrors.IncorrectInstanceState(instance.Id, phase, "imaged (stop it first: an image is taken of a stopped instance)");
        }

        var baseImage = await store.GetAsync(instanceSpec.ImageId, cancellationToken).ConfigureAwait(false)
            ?? throw NimbusException.NotFound($"Image '{instanceSpec.ImageId}' of instance {instance.Id}");
        var baseSpec = SpecOf(baseImage);
        var config = EffectiveConfig(baseImage);
        var spec = new ImageSpec
        {
            Description = request.Description ?? $"Instance {instance.Id} ({instance.Name}) on {baseImage.Name}",
            Os = baseSpec.Os,
            Architecture = baseSpec.Architecture,
            Source = InstanceSourcePrefix + instance.Id,
            BaseImageId = baseImage.Id,
            DefaultCommand = config.Command,
            Environment = config.Environment,
            WorkingDirectory = config.WorkingDirectory,
        };
        return await CreateAsync(NewImage(account, request.Name!, spec), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An image the account may use: its own, a public one, or one shared with it; by id or by name (own names first, then public ones).</summary>
    public async Task<Resource?> FindAsync(string account, string platformAccount, string idOrName, CancellationToken cancellationToken)
    {
        if (idOrName.StartsWith(ComputeKinds.ImagePrefix + "-", StringComparison.Ordinal))
        {
            var byId = await store.GetAsync(idOrName, cancellationToken).ConfigureAwait(false);
            return byId is { Kind: ComputeKinds.Image } && CanUse(byId, account) ? byId : null;
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

    /// <summary>The account's images, then the public ones, then those shared with it.</summary>
    public async Task<IReadOnlyList<Resource>> ListAsync(string account, string platformAccount, CancellationToken cancellationToken)
    {
        var all = await ListAllAsync(null, cancellationToken).ConfigureAwait(false);
        return
        [
            .. all.Where(i => i.Account == account),
            .. all.Where(i => i.Account != account && IsPublic(i)),
            .. all.Where(i => i.Account != account && !IsPublic(i) && SpecOf(i).SharedWith.Contains(account)),
        ];
    }

    public static ImageSpec SpecOf(Resource image) => image.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!;

    public static bool IsPublic(Resource image) => SpecOf(image).Public;

    /// <summary>True when <paramref name="account"/> may see and run the image.</summary>
    public static bool CanUse(Resource image, string account) =>
        image.Account == account || SpecOf(image) is var spec && (spec.Public || spec.SharedWith.Contains(account));

    /// <summary>What instances of the image start with: what the controller found in the image (an OCI config), else the spec's.</summary>
    public static (IReadOnlyList<string> Command, IReadOnlyList<string> Environment, string? WorkingDirectory) EffectiveConfig(Resource image)
    {
        var spec = SpecOf(image);
        var details = image.Status.Details is { ValueKind: JsonValueKind.Object } d ? d.Deserialize<ImageDetailsDto>(NimbusJson.Options) : null;
        return details?.DefaultCommand is { } command
            ? (command, details.Environment ?? spec.Environment, details.WorkingDirectory)
            : (spec.DefaultCommand, spec.Environment, spec.WorkingDirectory);
    }

    /// <summary>This machine's CPU architecture in OCI's words (<c>amd64</c>, <c>arm64</c>).</summary>
    public static string NodeArchitecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>Where an uploaded archive waits for the controller (removed once the image is made or failed).</summary>
    public string UploadPath(string imageId) => Path.Combine(options.Directory, "uploads", imageId + ".archive");

    private async Task<Resource> CreateAsync(Resource image, CancellationToken cancellationToken) =>
        await store.WriteAsync(
            async (w, ct) =>
            {
                await quotas.ConsumeAsync(w, image.Account, ComputeQuotas.Images.Code, 1, ct).ConfigureAwait(false);
                if (await w.GetByNameAsync(image.Account, ComputeKinds.Image, image.Name, ct).ConfigureAwait(false) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"Image named '{image.Name}' ({existing.Id})");
                }

                return await w.CreateAsync(image, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    private async Task RequireFreeNameAsync(string account, string name, CancellationToken cancellationToken)
    {
        // Checked before the upload too, so a taken name does not cost the client a whole transfer.
        if (await store.GetByNameAsync(account, ComputeKinds.Image, name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw NimbusException.AlreadyExists($"Image named '{name}' ({existing.Id})");
        }
    }

    private Resource NewImage(string account, string name, ImageSpec spec)
    {
        var now = time.GetUtcNow();
        return new Resource
        {
            Id = ResourceIds.New(ComputeKinds.ImagePrefix),
            Kind = ComputeKinds.Image,
            Account = account,
            Region = options.Region,
            Name = name,
            Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    private static void ValidateName(FieldErrors errors, string? name)
    {
        CommonValidation.Name(errors, "name", name);
        if (name is not null && name.StartsWith(ComputeKinds.ImagePrefix + "-", StringComparison.Ordinal))
        {
            errors.Add("name", "must not start with 'img-' (image ids do)");
        }
    }

    private static void ValidateDescription(FieldErrors errors, string? description)
    {
        if (description is not null && (description.Length > 1024 || description.Any(char.IsControl)))
        {
            errors.Add("description", "must be at most 1024 characters without control characters");
        }
    }

    private async Task<List<Resource>> ListAllAsync(string? account, CancellationToken cancellationToken)
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
}
