namespace Nimbus.Core.Api;

/// <summary>
/// Marks an endpoint whose body is streamed to the handler instead of buffered (an image upload of gigabytes):
/// authentication checks the signature over the signed <c>x-amz-content-sha256</c> and hands the handler a stream
/// that verifies that hash at its end; Kestrel's body limit for the request becomes <see cref="MaxBytes"/>.
/// </summary>
/// <param name="MaxBytes">Largest body accepted, in bytes (413 <c>RequestTooLarge</c> beyond).</param>
public sealed record StreamedBodyMetadata(long MaxBytes);
