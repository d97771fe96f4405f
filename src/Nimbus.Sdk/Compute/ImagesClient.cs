using System.Security.Cryptography;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;
using Nimbus.Sdk.Resources;

namespace Nimbus.Sdk.Compute;

/// <summary>
/// Images (<c>/v1/compute/images</c>): the account's own, the public built-in ones and those shared with it. Imports,
/// builds and images of instances are long operations: <c>pending</c> (progress in <c>status.message</c>) →
/// <c>available</c>, or <c>failed</c> with the reason.
/// </summary>
public sealed class ImagesClient
{
    /// <summary>Phase of an image that instances can run from: <c>available</c>.</summary>
    public const string AvailablePhase = "available";

    private const string BasePath = "/v1/compute/images";
    private readonly NimbusClient _client;
    private readonly ResourceWaiter _waiter;

    internal ImagesClient(NimbusClient client)
    {
        _client = client;
        _waiter = new ResourceWaiter(client.Options);
    }

    /// <summary>Lists the account's images, the public ones and those shared with it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every image visible to the caller.</returns>
    public async Task<IReadOnlyList<ResourceDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, BasePath, cancellationToken: cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Reads one image.</summary>
    /// <param name="idOrName">Required. Image id (<c>img-...</c>) or name, e.g. <c>busybox</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image; its spec is an <c>ImageSpec</c>, its details an <c>ImageDetailsDto</c>.</returns>
    public Task<ResourceDto> GetAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>
    /// Imports an image from a file: a rootfs tarball (tar, tar.gz, tar.zst) or an OCI image archive (e.g. made by
    /// <c>skopeo copy ... oci-archive:FILE</c>). The file is streamed, signed with its SHA-256 (read once before
    /// sending). The upload has no overall time limit (<see cref="NimbusClientOptions.Timeout"/> does not apply): it
    /// fails when it makes no progress for <see cref="NimbusClientOptions.UploadIdleTimeout"/>.
    /// </summary>
    /// <param name="name">Required. Image name, unique among the account's images.</param>
    /// <param name="filePath">Required. The archive.</param>
    /// <param name="description">Optional. Description.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The image, in phase <c>pending</c>.</returns>
    /// <exception cref="NimbusConnectionException">The server could not be reached, or the upload stalled (a <see cref="TimeoutException"/> inside).</exception>
    public Task<ResourceDto> ImportAsync(string name, string filePath, string? description = null, CancellationToken cancellationToken = default) =>
        ImportAsync(name, filePath, description, uploadIdleTimeout: null, cancellationToken);

    /// <summary>As <see cref="ImportAsync(string, string, string?, CancellationToken)"/>, with this upload's own idle timeout.</summary>
    /// <param name="name">Required. Image name, unique among the account's images.</param>
    /// <param name="filePath">Required. The archive.</param>
    /// <param name="description">Optional. Description.</param>
    /// <param name="uploadIdleTimeout">Optional. How long the upload may make no progress; null for <see cref="NimbusClientOptions.UploadIdleTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The image, in phase <c>pending</c>.</returns>
    public async Task<ResourceDto> ImportAsync(string name, string filePath, string? description, TimeSpan? uploadIdleTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(filePath);
        string sha256;
        await using (var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 256 * 1024, useAsync: true))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        }

        var path = new PathBuilder(BasePath + "/import").Query("name", name).Query("description", description).ToString();
        var response = await _client.SendFileAsync(HttpMethod.Post, path, filePath, sha256, uploadIdleTimeout, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<ResourceDto>();
    }

    /// <summary>
    /// Imports an image from an object in Nimbus object storage (a rootfs tarball or an OCI image archive uploaded with
    /// any S3 client): the server reads it in place, so nothing is uploaded again. The caller needs
    /// <c>compute:ImportImage</c> and <c>s3:GetObject</c> on the object (<c>s3:GetObjectVersion</c> with a version).
    /// </summary>
    /// <param name="request">Required. Name, bucket, key, optional version id and description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image, in phase <c>pending</c>; <c>spec.sourceObject</c> names the version that was read.</returns>
    /// <exception cref="NimbusApiException"><c>NoSuchBucket</c>, <c>NoSuchKey</c>, <c>NoSuchVersion</c> (404), <c>AccessDenied</c> (403), <c>RequestTooLarge</c> (413).</exception>
    public Task<ResourceDto> ImportFromObjectAsync(ImportImageFromObjectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/import-object", request, cancellationToken: cancellationToken);
    }

    /// <summary>Builds an image on the node from a recipe (<c>debian-12</c>: debootstrap; minutes).</summary>
    /// <param name="request">Required. Recipe and optional name and description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image, in phase <c>pending</c>.</returns>
    public Task<ResourceDto> BuildAsync(BuildImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/build", request, cancellationToken: cancellationToken);
    }

    /// <summary>Makes an image of a stopped instance (409 <c>IncorrectInstanceState</c> while it runs).</summary>
    /// <param name="request">Required. Instance id and image name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image, in phase <c>pending</c>.</returns>
    public Task<ResourceDto> CreateFromInstanceAsync(CreateImageFromInstanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/from-instance", request, cancellationToken: cancellationToken);
    }

    /// <summary>Shares an image with other accounts: they may list, get and run it, never change or delete it.</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="accounts">Required. Account ids (12 digits).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image; <c>spec.sharedWith</c> lists the accounts.</returns>
    public Task<ResourceDto> ShareAsync(string idOrName, IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/share", new ShareImageRequest { Accounts = accounts }, cancellationToken: cancellationToken);

    /// <summary>Stops sharing an image with accounts; their running instances keep running.</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="accounts">Required. Account ids (12 digits).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image.</returns>
    public Task<ResourceDto> UnshareAsync(string idOrName, IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/unshare", new ShareImageRequest { Accounts = accounts }, cancellationToken: cancellationToken);

    /// <summary>Deprecates an image: it still runs, new runs answer a warning.</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="replacement">Optional. Image to suggest instead.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image; <c>spec.deprecatedAt</c> is set.</returns>
    public Task<ResourceDto> DeprecateAsync(string idOrName, string? replacement = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/deprecate", new DeprecateImageRequest { Replacement = replacement }, cancellationToken: cancellationToken);

    /// <summary>Takes back the deprecation of an image.</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image.</returns>
    public Task<ResourceDto> UndeprecateAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/undeprecate", cancellationToken: cancellationToken);

    /// <summary>Deletes an image (409 <c>DependencyViolation</c> while instances that are not terminated use it).</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image, its deletion requested; it disappears once its files are removed.</returns>
    public Task<ResourceDto> DeleteAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Delete, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>Polls an image until it is <see cref="AvailablePhase"/>.</summary>
    /// <param name="idOrName">Required. Image id or name.</param>
    /// <param name="timeout">Required. How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The image once available.</returns>
    /// <exception cref="NimbusWaitException">The timeout passed, or the image became <c>failed</c>.</exception>
    public Task<ResourceDto> WaitUntilAvailableAsync(string idOrName, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _waiter.WaitForPhaseAsync((query, ct) => _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(idOrName) + query, cancellationToken: ct), idOrName, AvailablePhase, timeout, 0, cancellationToken);

    private static string ItemPath(string idOrName) => BasePath + "/" + PathBuilder.Segment(idOrName);
}
