using System.Diagnostics;
using System.Net;
using Nimbus.Sdk;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Image uploads through the SDK have an idle timeout of their own, not the 30-second request timeout.</summary>
public sealed class ImageUploadTimeoutTests
{
    [Fact]
    public async Task Slow_upload_longer_than_the_request_timeout_succeeds_while_it_moves_and_a_stalled_one_fails()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-slow");
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.WriteTarAsync(tar, ImageFiles.Dir("./"), ImageFiles.File_("./etc/data", new string('d', 64 * 1024)));
        await using var server = await ComputeServer.StartAsync();

        // A link of 4 KiB every 100 ms: the ~70 KiB archive takes about 1.8 s, more than the 1 s request timeout.
        var options = server.Client.Options with { Timeout = TimeSpan.FromSeconds(1), UploadIdleTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 };
        using (var slow = new NimbusClient(options, new SlowLink(TimeSpan.FromMilliseconds(100), stallOnce: null)))
        {
            var watch = Stopwatch.StartNew();
            var image = await slow.Compute.Images.ImportAsync("slow", tar);
            watch.Elapsed.ShouldBeGreaterThan(options.Timeout, "the upload took longer than the request timeout");
            image.Status.Phase.ShouldBe("pending");
            (await slow.Compute.Images.GetAsync("slow")).Id.ShouldBe(image.Id);
        }

        // Stalled for 3 s with an idle timeout of 1 s: it fails, saying why; the per-call override wins over the option.
        using (var stalled = new NimbusClient(options, new SlowLink(TimeSpan.Zero, stallOnce: TimeSpan.FromSeconds(3))))
        {
            var failure = await Should.ThrowAsync<NimbusConnectionException>(() => stalled.Compute.Images.ImportAsync("stalled", tar, null, TimeSpan.FromSeconds(1)));
            failure.InnerException.ShouldBeOfType<TimeoutException>().Message.ShouldContain("made no progress for 00:00:01");
        }
    }

    /// <summary>Sends request bodies 4 KiB at a time with a pause after each chunk (or one long stall after the first).</summary>
    private sealed class SlowLink(TimeSpan pause, TimeSpan? stallOnce) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content && request.Method == HttpMethod.Post)
            {
                var slow = new SlowContent(content, pause, stallOnce);
                foreach (var header in content.Headers)
                {
                    slow.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = slow;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class SlowContent(HttpContent inner, TimeSpan pause, TimeSpan? stallOnce) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await inner.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[4096];
            var first = true;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                await Task.Delay(first && stallOnce is { } stall ? stall : pause, cancellationToken);
                first = false;
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
