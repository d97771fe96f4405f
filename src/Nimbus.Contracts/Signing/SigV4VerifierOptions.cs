namespace Nimbus.Contracts.Signing;

/// <summary>Configuration of a <see cref="SigV4Verifier"/>; read once, when the verifier is constructed.</summary>
public sealed class SigV4VerifierOptions
{
    /// <summary>Service the credential scope must name. Default <c>nimbus</c>.</summary>
    public string Service { get; set; } = "nimbus";

    /// <summary>Region the credential scope must name. Default <c>local</c>.</summary>
    public string Region { get; set; } = "local";

    /// <summary>
    /// Largest accepted difference between the signing time and the server clock, both ways, for
    /// header-signed requests; for presigned URLs, how far in the future the signing time may lie.
    /// Default 15 minutes (the AWS value).
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// S3 rules: the canonical URI is the path as received (not normalized, not encoded again), and
    /// <c>x-amz-content-sha256: UNSIGNED-PAYLOAD</c> (or a <c>STREAMING-*</c> value) is accepted.
    /// Default false: the path is normalized and encoded twice and the body must be signed.
    /// </summary>
    public bool S3Mode { get; set; }

    /// <summary>Clock for expiry checks. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
