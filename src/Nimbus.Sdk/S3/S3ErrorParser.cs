using System.Net;
using System.Xml;
using System.Xml.Linq;
using Nimbus.Contracts.Errors;

namespace Nimbus.Sdk.S3;

/// <summary>Turns an S3 error answer (<c>&lt;Error&gt;&lt;Code&gt;...</c>) into a <see cref="NimbusApiException"/> carrying the S3 code.</summary>
internal static class S3ErrorParser
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    public static async Task<NimbusApiException> ToExceptionAsync(HttpResponseMessage response, S3Call call, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            bytes = [];
        }

        if (TryParseError(bytes, out var code, out var message, out var requestId))
        {
            return Create(response.StatusCode, code, message, requestId ?? RequestIdOf(response));
        }

        // HEAD answers carry no body: name the usual S3 code of the status.
        var fallback = response.StatusCode switch
        {
            HttpStatusCode.NotFound => call.Key is null ? "NoSuchBucket" : "NoSuchKey",
            HttpStatusCode.Forbidden => "AccessDenied",
            HttpStatusCode.PreconditionFailed => "PreconditionFailed",
            HttpStatusCode.RequestedRangeNotSatisfiable => "InvalidRange",
            HttpStatusCode.MethodNotAllowed => "MethodNotAllowed",
            HttpStatusCode.Conflict => "Conflict",
            HttpStatusCode.BadRequest => "BadRequest",
            HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
            HttpStatusCode.TooManyRequests => "SlowDown",
            _ => "InternalError",
        };
        var what = call.Key is null ? $"bucket '{call.Bucket}'" : $"object '{call.Key}' in bucket '{call.Bucket}'";
        return Create(response.StatusCode, fallback, $"{call.Method} of {what} answered {(int)response.StatusCode} {response.ReasonPhrase}.", RequestIdOf(response));
    }

    public static NimbusApiException FromStatus(HttpResponseMessage response, string code, string message) =>
        Create(response.StatusCode, code, message, RequestIdOf(response));

    /// <summary>An error document inside a 200 answer (CompleteMultipartUpload, CopyObject may answer so).</summary>
    public static NimbusApiException? FromDocument(XDocument document, HttpStatusCode status, string? requestId)
    {
        if (document.Root?.Name.LocalName != "Error")
        {
            return null;
        }

        var code = Child(document.Root, "Code") ?? "InternalError";
        var message = Child(document.Root, "Message") ?? "The server answered an error.";
        return Create(status == HttpStatusCode.OK ? HttpStatusCode.InternalServerError : status, code, message, Child(document.Root, "RequestId") ?? requestId);
    }

    public static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.FirstOrDefault() : null;

    public static string? Child(XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    private static NimbusApiException Create(HttpStatusCode status, string code, string message, string? requestId) =>
        new(status, new ProblemDto { Status = (int)status, Code = code, Title = code, Detail = message, RequestId = requestId });

    private static bool TryParseError(byte[] bytes, out string code, out string message, out string? requestId)
    {
        code = message = "";
        requestId = null;
        if (bytes.Length == 0)
        {
            return false;
        }

        try
        {
            using var stream = new MemoryStream(bytes);
            var document = XDocument.Load(stream);
            if (document.Root is not { Name.LocalName: "Error" } root)
            {
                return false;
            }

            code = Child(root, "Code") ?? "InternalError";
            message = Child(root, "Message") ?? code;
            requestId = Child(root, "RequestId");
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return buffer[..total];
    }
}
