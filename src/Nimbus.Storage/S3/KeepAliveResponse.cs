using System.Text;
using Microsoft.AspNetCore.Http;

namespace Nimbus.Storage.S3;

/// <summary>
/// An S3 answer whose work may outlast a client's or a proxy's idle timeout (CompleteMultipartUpload of many or
/// large parts, behind a commit queue under load). As S3 does, once the work has taken
/// <see cref="StorageOptions.CompleteKeepAliveAfter"/> the response starts with 200 and the XML declaration, then a
/// space goes out every <see cref="StorageOptions.CompleteKeepAliveInterval"/> until the work ends; the body is
/// then the result or, when the work failed, an <c>Error</c> document under the 200 (S3 clients read a
/// CompleteMultipartUpload's body for an error for this reason). Work that ends in time answers as usual,
/// errors with their own status.
/// </summary>
internal static class KeepAliveResponse
{
    private static readonly byte[] Declaration = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private static readonly byte[] Space = " "u8.ToArray();

    /// <summary>
    /// Runs <paramref name="work"/>; <paramref name="writeResult"/> fills the result document (root
    /// <paramref name="root"/>) once it succeeded, and <paramref name="headers"/> sets the headers known before
    /// the work ends (they go out with the 200).
    /// </summary>
    public static async Task SendAsync<T>(S3Context s3, Task<T> work, string root, Action<T, S3Xml> writeResult, Action<HttpResponse> headers)
    {
        var options = s3.Services.Options;
        if (options.CompleteKeepAliveAfter > TimeSpan.Zero && !work.IsCompleted)
        {
            await WaitAsync(work, options.CompleteKeepAliveAfter, s3).ConfigureAwait(false);
        }

        // Zero means at once: the 200 goes out first even when the work is already done (so an error is in the body).
        if (work.IsCompleted && options.CompleteKeepAliveAfter > TimeSpan.Zero)
        {
            var result = await work.ConfigureAwait(false);
            headers(s3.Response);
            using var xml = new S3Xml(root);
            writeResult(result, xml);
            await xml.SendAsync(s3.Response).ConfigureAwait(false);
            return;
        }

        var response = s3.Response;
        headers(response);
        response.StatusCode = 200;
        response.ContentType = "application/xml";
        await response.StartAsync(s3.Aborted).ConfigureAwait(false);
        await response.Body.WriteAsync(Declaration, s3.Aborted).ConfigureAwait(false);
        await response.Body.FlushAsync(s3.Aborted).ConfigureAwait(false);
        while (!work.IsCompleted)
        {
            await WaitAsync(work, options.CompleteKeepAliveInterval, s3).ConfigureAwait(false);
            if (!work.IsCompleted)
            {
                await response.Body.WriteAsync(Space, s3.Aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(s3.Aborted).ConfigureAwait(false);
            }
        }

        T done;
        try
        {
            done = await work.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !s3.Aborted.IsCancellationRequested)
        {
            var (code, _, message) = S3Server.Translate(ex, s3);
            using var error = new S3Xml("Error", withNamespace: false, declaration: false);
            error.Element("Code", code).Element("Message", message).Element("Resource", s3.Request.Resource)
                .Element("RequestId", s3.Http.TraceIdentifier).Element("HostId", s3.Http.TraceIdentifier);
            await error.WriteToStartedAsync(response, s3.Aborted).ConfigureAwait(false);
            throw new ErrorAlreadySentException(ex);
        }

        using var xmlResult = new S3Xml(root, declaration: false);
        writeResult(done, xmlResult);
        await xmlResult.WriteToStartedAsync(response, s3.Aborted).ConfigureAwait(false);
    }

    private static async Task WaitAsync(Task work, TimeSpan time, S3Context s3)
    {
        using var delay = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(delay.Token, s3.Aborted);
        var timer = Task.Delay(time, s3.Services.Time, linked.Token);
        var first = await Task.WhenAny(work, timer).ConfigureAwait(false);
        if (first == work)
        {
            await delay.CancelAsync().ConfigureAwait(false);
        }
        else
        {
            s3.Aborted.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>A failure whose S3 error document already went out in a started 200 response (<see cref="KeepAliveResponse"/>).</summary>
internal sealed class ErrorAlreadySentException(Exception inner) : Exception(inner.Message, inner);
