using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Server.Hosting;

namespace Nimbus.Server.Demo;

/// <summary>
/// Materializes each widget as <c>&lt;data-dir&gt;/widgets/&lt;id&gt;.txt</c> (the message, repeated
/// <c>copies</c> times) and removes the file when the widget is deleted. Writes go to a
/// temporary file, are fsynced and renamed, so a crash never leaves a half-written widget.
/// </summary>
public sealed class WidgetReconciler(NimbusServerOptions options, QuotaService quotas, TimeProvider time) : IReconciler
{
    public string Kind => WidgetService.Kind;

    public string DirectoryPath => Path.Combine(options.DataDirectory, "widgets");

    public async Task<ReconcileResult> ReconcileAsync(Resource resource, CancellationToken cancellationToken)
    {
        var spec = resource.Spec.Deserialize<WidgetSpec>(NimbusJson.Options)!;
        var content = new StringBuilder();
        for (var i = 0; i < (spec.Copies ?? 1); i++)
        {
            content.Append(spec.Message).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(content.ToString());
        var path = PathOf(resource.Id);
        Directory.CreateDirectory(DirectoryPath);
        var current = File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
        if (current is null || !current.AsSpan().SequenceEqual(bytes))
        {
            var temporary = path + ".tmp";
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }

        var now = time.GetUtcNow();
        var readySince = resource.Status.Conditions.FirstOrDefault(c => c.Type == "Ready" && c.Status == "True")?.LastTransitionTime ?? now;
        return new ReconcileResult(new ResourceStatus
        {
            Phase = ResourcePhases.Ready,
            Message = $"{bytes.Length} bytes written",
            Conditions = [new Condition("Ready", "True", "FileWritten", null, readySince)],
            Details = JsonSerializer.SerializeToElement(new { path, bytes = bytes.Length }, NimbusJson.Options),
        });
    }

    public Task FinalizeAsync(Resource resource, CancellationToken cancellationToken)
    {
        // A widget deleted before its first reconcile has no file, and maybe no directory yet either.
        if (!Directory.Exists(DirectoryPath))
        {
            return Task.CompletedTask;
        }

        File.Delete(PathOf(resource.Id));
        File.Delete(PathOf(resource.Id) + ".tmp");
        return Task.CompletedTask;
    }

    /// <summary>The widget's unit of <c>demo.widgets</c> is free once the widget is gone, not when deletion is asked.</summary>
    public Task BeforeDeleteAsync(IStoreWriter writer, Resource resource, CancellationToken cancellationToken) =>
        quotas.ReleaseAsync(writer, resource.Account, WidgetService.Quota.Code, 1, cancellationToken);

    public string PathOf(string id) => Path.Combine(DirectoryPath, id + ".txt");
}
