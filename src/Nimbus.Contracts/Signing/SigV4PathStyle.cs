namespace Nimbus.Contracts.Signing;

/// <summary>How the canonical URI is derived from the path as received.</summary>
internal enum SigV4PathStyle
{
    /// <summary>Every service but S3: dot segments and empty segments removed, then the received (encoded) path encoded again.</summary>
    NormalizedDoubleEncoded,

    /// <summary>Encoded again but not normalized: what the AWS SDK for .NET signs (it never normalizes).</summary>
    DoubleEncoded,

    /// <summary>S3: the path as received, not normalized, not encoded again.</summary>
    S3,
}
