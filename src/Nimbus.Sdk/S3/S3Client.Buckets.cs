using System.Text;
using System.Xml.Linq;

namespace Nimbus.Sdk.S3;

public sealed partial class S3Client
{
    private static readonly XNamespace S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>Reads a bucket's policy (GetBucketPolicy).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy document as stored (JSON).</returns>
    /// <exception cref="NimbusApiException"><c>NoSuchBucketPolicy</c> when the bucket has none.</exception>
    public async Task<string> GetBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Get, Bucket(bucket), null).WithQuery("policy"), cancellationToken).ConfigureAwait(false);
        return await answer.Response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets a bucket's policy (PutBucketPolicy), replacing any previous one.</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="policyJson">Required. The policy document, JSON.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the policy is in force.</returns>
    public async Task PutBucketPolicyAsync(string bucket, string policyJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(policyJson);
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), null) { Body = S3Body.FromBytes(Encoding.UTF8.GetBytes(policyJson)), BodyContentType = "application/json" }.WithQuery("policy");
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a bucket's policy (DeleteBucketPolicy).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the policy is gone.</returns>
    public async Task DeleteBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Delete, Bucket(bucket), null).WithQuery("policy"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a bucket's versioning state (GetBucketVersioning).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>Enabled</c>, <c>Suspended</c>, or null when versioning was never enabled.</returns>
    public async Task<string?> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken = default)
    {
        var document = await ReadXmlAsync(new S3Call(HttpMethod.Get, Bucket(bucket), null).WithQuery("versioning"), cancellationToken).ConfigureAwait(false);
        var status = S3ErrorParser.Child(document.Root!, "Status");
        return string.IsNullOrEmpty(status) ? null : status;
    }

    /// <summary>Enables or suspends versioning of a bucket (PutBucketVersioning).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="enabled">True to enable, false to suspend.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the state is in force.</returns>
    public async Task PutBucketVersioningAsync(string bucket, bool enabled, CancellationToken cancellationToken = default)
    {
        var document = new XElement(S3Namespace + "VersioningConfiguration", new XElement(S3Namespace + "Status", enabled ? "Enabled" : "Suspended"));
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), null) { Body = Xml(document), BodyContentType = "application/xml" }.WithQuery("versioning");
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a bucket's lifecycle configuration (GetBucketLifecycleConfiguration).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The <c>LifecycleConfiguration</c> XML document.</returns>
    /// <exception cref="NimbusApiException"><c>NoSuchLifecycleConfiguration</c> when the bucket has none.</exception>
    public async Task<string> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Get, Bucket(bucket), null).WithQuery("lifecycle"), cancellationToken).ConfigureAwait(false);
        return await answer.Response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets a bucket's lifecycle configuration (PutBucketLifecycleConfiguration), replacing any previous one.</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="lifecycleXml">Required. A <c>LifecycleConfiguration</c> XML document.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the configuration is in force.</returns>
    public async Task PutBucketLifecycleAsync(string bucket, string lifecycleXml, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(lifecycleXml);
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), null) { Body = S3Body.FromBytes(Encoding.UTF8.GetBytes(lifecycleXml)), BodyContentType = "application/xml" }.WithQuery("lifecycle");
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a bucket's lifecycle configuration (DeleteBucketLifecycle).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the configuration is gone.</returns>
    public async Task DeleteBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Delete, Bucket(bucket), null).WithQuery("lifecycle"), cancellationToken).ConfigureAwait(false);
    }

    private static S3Body Xml(XElement document) =>
        S3Body.FromBytes(Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting)));
}
