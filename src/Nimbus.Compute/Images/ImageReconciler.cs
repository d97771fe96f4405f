using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Images;

/// <summary>
/// Makes an image's root filesystem exist on the node: <c>pending</c> (with progress in <c>status.message</c>) →
/// <c>available</c>, or <c>failed</c> with what to do. Built-in images are tried again every 30 s (a missing package
/// gets installed); imports, builds and images of instances fail for good (the user deletes the image and tries again).
/// An operation a platform stop interrupted leaves the image <c>pending</c>, and the resync after the start runs it
/// again from the start (an import from object storage copies the object again unless its copy was whole).
/// </summary>
public sealed partial class ImageReconciler(
    IComputeNode node, IResourceStore store, ImageService images, QuotaService quotas, TimeProvider time, ILogger<ImageReconciler> logger) : IReconciler
{
    private static readonly TimeSpan RetryFailedAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public string Kind => ComputeKinds.Image;

    public async Task<ReconcileResult> ReconcileAsync(Resource resource, CancellationToken cancellationToken)
    {
        var spec = ImageService.SpecOf(resource);
        if (resource.Status.Phase == ImageService.Available && node.HasImage(resource.Id))
        {
            return new ReconcileResult(resource.Status);
        }

        var builtIn = spec.Source.StartsWith(ImageService.BuiltInSourcePrefix, StringComparison.Ordinal);
        if (resource.Status.Phase == ResourcePhases.Failed && !builtIn)
        {
            return new ReconcileResult(resource.Status);
        }

        // Progress goes to the store as the operation runs; a deletion asked for meanwhile cancels it.
        using var operation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new ProgressWriter(this, store, time, resource, operation);
        try
        {
            var facts = await MakeAsync(resource, spec, progress.ReportAsync, operation.Token).ConfigureAwait(false);
            DeleteUpload(resource, spec);
            LogBuilt(resource.Id, resource.Name, facts.SizeBytes);
            var config = facts.Config;
            return new ReconcileResult(new ResourceStatus
            {
                Phase = ImageService.Available,
                Conditions = [new Condition("Ready", "True", "RootFilesystemBuilt", null, time.GetUtcNow())],
                Details = JsonSerializer.SerializeToElement(
                    new ImageDetailsDto
                    {
                        SizeBytes = facts.SizeBytes,
                        Entries = facts.Entries,
                        DefaultCommand = config?.Command ?? spec.DefaultCommand,
                        Environment = config is { Environment.Count: > 0 } ? config.Environment : spec.Environment,
                        WorkingDirectory = config is null ? spec.WorkingDirectory : config.WorkingDirectory,
                        Format = facts.Format,
                        SkippedEntries = facts.SkippedEntries,
                        Warnings = facts.Warnings.Count > 0 ? facts.Warnings : null,
                    },
                    NimbusJson.Options),
            });
        }
        catch (NodeException ex)
        {
            LogBuildFailed(resource.Id, ex.Message);
            if (!builtIn)
            {
                DeleteUpload(resource, spec);
            }

            return Failed(resource, ex.Message, builtIn);
        }
        catch (OperationCanceledException) when (operation.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Deleted meanwhile: the finalizer runs next.
            return new ReconcileResult(resource.Status, TimeSpan.Zero);
        }
        catch (TimeoutException ex)
        {
            LogBuildFailed(resource.Id, ex.Message);
            return Failed(resource, ex.Message, builtIn);
        }
    }

    public async Task FinalizeAsync(Resource resource, CancellationToken cancellationToken)
    {
        DeleteUpload(resource, ImageService.SpecOf(resource));
        await node.RemoveImageAsync(resource.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The image's place in the account's quota goes with it (built-in images never took one).</summary>
    public async Task BeforeDeleteAsync(IStoreWriter writer, Resource resource, CancellationToken cancellationToken)
    {
        if (!ImageService.SpecOf(resource).Source.StartsWith(ImageService.BuiltInSourcePrefix, StringComparison.Ordinal))
        {
            await quotas.ReleaseAsync(writer, resource.Account, ComputeQuotas.Images.Code, 1, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<ImageFacts> MakeAsync(Resource resource, ImageSpec spec, ImageProgress progress, CancellationToken cancellationToken)
    {
        var source = spec.Source;
        if (source.StartsWith(ImageService.BuiltInSourcePrefix, StringComparison.Ordinal))
        {
            return node.BuildBuiltInImageAsync(resource.Id, source[ImageService.BuiltInSourcePrefix.Length..], cancellationToken);
        }

        if (source == ImageService.ImportSource)
        {
            return spec.SourceObject is { } sourceObject
                ? ImportObjectAsync(resource.Id, sourceObject, progress, cancellationToken)
                : node.ImportImageAsync(resource.Id, images.UploadPath(resource.Id), progress, cancellationToken);
        }

        if (source.StartsWith(ImageService.BuildSourcePrefix, StringComparison.Ordinal))
        {
            return node.BuildImageAsync(resource.Id, source[ImageService.BuildSourcePrefix.Length..], progress, cancellationToken);
        }

        if (source.StartsWith(ImageService.InstanceSourcePrefix, StringComparison.Ordinal) && spec.BaseImageId is { } baseImage)
        {
            return node.CaptureInstanceImageAsync(resource.Id, source[ImageService.InstanceSourcePrefix.Length..], baseImage, progress, cancellationToken);
        }

        throw new NodeException($"image source '{source}' is not supported");
    }

    /// <summary>An import from object storage: the copy of the object (skipped when a run before a restart finished it), then the unpack.</summary>
    private async Task<ImageFacts> ImportObjectAsync(string imageId, ImageSourceObject sourceObject, ImageProgress progress, CancellationToken cancellationToken)
    {
        await images.FetchObjectAsync(imageId, sourceObject, progress, cancellationToken).ConfigureAwait(false);
        return await node.ImportImageAsync(imageId, images.UploadPath(imageId), progress, cancellationToken).ConfigureAwait(false);
    }

    private void DeleteUpload(Resource resource, ImageSpec spec)
    {
        if (spec.Source == ImageService.ImportSource)
        {
            File.Delete(images.UploadPath(resource.Id));
            File.Delete(images.PartialUploadPath(resource.Id));
        }
    }

    private ReconcileResult Failed(Resource resource, string message, bool retry)
    {
        var since = resource.Status.Phase == ResourcePhases.Failed && resource.Status.Message == message
            ? resource.Status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime ?? time.GetUtcNow()
            : time.GetUtcNow();
        return new ReconcileResult(
            new ResourceStatus { Phase = ResourcePhases.Failed, Message = message, Conditions = [new Condition("Ready", "False", "BuildFailed", message, since)] },
            retry ? RetryFailedAfter : null);
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Image {ImageId} ({Name}) is available: {SizeBytes} bytes")]
    private partial void LogBuilt(string imageId, string name, long sizeBytes);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Image {ImageId} could not be made: {Reason}")]
    private partial void LogBuildFailed(string imageId, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Progress of image {ImageId} not recorded")]
    private partial void LogProgressNotRecorded(Exception ex, string imageId);

    /// <summary>Writes progress messages to the image's status at most once a second, and cancels the operation when the image is being deleted.</summary>
    private sealed class ProgressWriter(ImageReconciler owner, IResourceStore store, TimeProvider time, Resource resource, CancellationTokenSource operation)
    {
        private DateTimeOffset _last = DateTimeOffset.MinValue;

        public async Task ReportAsync(string message, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            if (now - _last < ProgressInterval)
            {
                return;
            }

            _last = now;
            try
            {
                var deleting = await store.WriteAsync(
                    async (w, ct) =>
                    {
                        var current = await w.GetAsync(resource.Id, ct).ConfigureAwait(false);
                        if (current is null || current.DeletionRequestedAt is not null)
                        {
                            return true;
                        }

                        var status = new ResourceStatus
                        {
                            Phase = ResourcePhases.Pending,
                            Message = message,
                            ObservedVersion = current.Version,
                            Conditions = [new Condition("Ready", "False", "Building", message, now)],
                        };
                        await w.UpdateStatusAsync(current.Id, current.Version, status, ct).ConfigureAwait(false);
                        return false;
                    },
                    cancellationToken).ConfigureAwait(false);
                if (deleting)
                {
                    await operation.CancelAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            catch (Core.Errors.NimbusException ex)
            {
                owner.LogProgressNotRecorded(ex, resource.Id);
            }
        }
    }
}
