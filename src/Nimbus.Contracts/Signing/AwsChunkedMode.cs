namespace Nimbus.Contracts.Signing;

/// <summary>The aws-chunked body formats, named by <c>x-amz-content-sha256</c>.</summary>
public enum AwsChunkedMode
{
    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: every chunk signed, chained from the request's signature.</summary>
    SignedPayload = 1,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: signed chunks, then signed trailing headers.</summary>
    SignedPayloadTrailer = 2,

    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: unsigned chunks, then trailing headers (a checksum).</summary>
    UnsignedPayloadTrailer = 3,
}
