using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Resources;

namespace Nimbus.Compute.Images;

/// <summary>Makes an image's root filesystem exist on the node: <c>pending</c> → <c>available</c>, or <c>failed</c> with what to do.</summary>
public sealed partial class ImageReconciler(IComputeNode node, TimeProvider time, ILogger<ImageReconciler> logger) : IReconciler
{
    private static readonly TimeSpan RetryFailedAfter = TimeSpan.FromSeconds(30);

    public string Kind => ComputeKinds.Image;

    public async Task<ReconcileResult> ReconcileAsync(Resource resource, CancellationToken cancellationToken)
    {
        var spec = ImageService.SpecOf(resource);
        if (resource.Status.Phase == ImageService.Available && node.HasImage(resource.Id))
        {
            return new ReconcileResult(resource.Status);
        }

        if (!spec.Source.StartsWith("builtin:", StringComparison.Ordinal))
        {
            return Failed(resource, $"image source '{spec.Source}' is not supported");
        }

        try
        {
            var facts = await node.BuildBuiltInImageAsync(resource.Id, spec.Source["builtin:".Length..], cancellationToken).ConfigureAwait(false);
            LogBuilt(resource.Id, resource.Name, facts.SizeBytes);
            return new ReconcileResult(new ResourceStatus
            {
                Phase = ImageService.Available,
                Conditions = [new Condition("Ready", "True", "RootFilesystemBuilt", null, time.GetUtcNow())],
                Details = JsonSerializer.SerializeToElement(new ImageDetailsDto { SizeBytes = facts.SizeBytes, Entries = facts.Entries }, NimbusJson.Options),
            });
        }
        catch (NodeException ex)
        {
            LogBuildFailed(resource.Id, ex.Message);
            return Failed(resource, ex.Message);
        }
    }

    public Task FinalizeAsync(Resource resource, CancellationToken cancellationToken) => node.RemoveImageAsync(resource.Id, cancellationToken);

    private ReconcileResult Failed(Resource resource, string message)
    {
        var since = resource.Status.Phase == ResourcePhases.Failed && resource.Status.Message == message
            ? resource.Status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime ?? time.GetUtcNow()
            : time.GetUtcNow();
        return new ReconcileResult(
            new ResourceStatus { Phase = ResourcePhases.Failed, Message = message, Conditions = [new Condition("Ready", "False", "BuildFailed", message, since)] },
            RetryFailedAfter);
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Image {ImageId} ({Name}) is available: {SizeBytes} bytes")]
    private partial void LogBuilt(string imageId, string name, long sizeBytes);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Image {ImageId} could not be built: {Reason}")]
    private partial void LogBuildFailed(string imageId, string reason);
}
