using Microsoft.AspNetCore.Http;
using Nimbus.Core.Errors;

namespace Nimbus.Storage.S3;

/// <summary>
/// CORS on the wire: preflight <c>OPTIONS</c> requests, answered from the bucket's CORS configuration without
/// authentication (browsers send none), and the <c>Access-Control-*</c> headers of actual requests that carry
/// an <c>Origin</c>.
/// </summary>
internal static class CorsHandler
{
    public static async Task PreflightAsync(S3Context s3)
    {
        var origin = s3.Headers.Origin.ToString();
        var method = s3.Headers.AccessControlRequestMethod.ToString();
        if (origin.Length == 0 || method.Length == 0)
        {
            throw new NimbusException("BadRequest", 400, "Insufficient information. Origin request header and Access-Control-Request-Method are needed for a preflight request.");
        }

        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        s3.Action = "s3:PreflightCORS";
        s3.Resources = [s3.Request.KeyBytes is null ? bucket.Arn : s3.ObjectArn];
        if (bucket.Spec.Cors is not { } text)
        {
            throw Forbidden("CORSResponse: CORS is not enabled for this bucket.");
        }

        var requested = s3.Headers.AccessControlRequestHeaders.ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var rule = CorsConfiguration.Parse(System.Text.Encoding.UTF8.GetBytes(text)).Match(origin, method, requested)
            ?? throw Forbidden("CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
        var headers = s3.Response.Headers;
        headers.AccessControlAllowOrigin = rule.AllowedOrigins.Contains("*") ? "*" : origin;
        headers.AccessControlAllowMethods = string.Join(", ", rule.AllowedMethods);
        if (requested.Length > 0)
        {
            headers.AccessControlAllowHeaders = string.Join(", ", requested);
        }

        if (rule.ExposeHeaders.Count > 0)
        {
            headers.AccessControlExposeHeaders = string.Join(", ", rule.ExposeHeaders);
        }

        if (rule.MaxAgeSeconds is { } maxAge)
        {
            headers.AccessControlMaxAge = maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        headers.Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    /// <summary>
    /// For a request with an <c>Origin</c>: the CORS headers its bucket's configuration grants, or none. Kept
    /// on the context so that an error answer carries them too (a browser can then read the error).
    /// </summary>
    public static async Task ApplyAsync(S3Context s3)
    {
        var origin = s3.Headers.Origin.ToString();
        if (origin.Length == 0 || s3.Request.Bucket is null)
        {
            return;
        }

        var bucket = await s3.Services.Buckets.FindAsync(s3.Request.Bucket, s3.Aborted).ConfigureAwait(false);
        if (bucket?.Spec.Cors is not { } text)
        {
            return;
        }

        var rule = CorsConfiguration.Parse(System.Text.Encoding.UTF8.GetBytes(text)).Match(origin, s3.Method, []);
        if (rule is null)
        {
            return;
        }

        var granted = new List<KeyValuePair<string, string>>
        {
            new("Access-Control-Allow-Origin", rule.AllowedOrigins.Contains("*") ? "*" : origin),
            new("Access-Control-Allow-Methods", string.Join(", ", rule.AllowedMethods)),
            new("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"),
        };
        if (rule.ExposeHeaders.Count > 0)
        {
            granted.Add(new("Access-Control-Expose-Headers", string.Join(", ", rule.ExposeHeaders)));
        }

        if (rule.MaxAgeSeconds is { } maxAge)
        {
            granted.Add(new("Access-Control-Max-Age", maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        s3.CorsHeaders = granted;
        Write(s3.Response, granted);
    }

    public static void Write(HttpResponse response, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }
    }

    private static NimbusException Forbidden(string message) => new("AccessForbidden", 403, message);
}
