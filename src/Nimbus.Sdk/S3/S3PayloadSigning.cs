namespace Nimbus.Sdk.S3;

/// <summary>How the body of a PUT or an UploadPart is authenticated (<c>x-amz-content-sha256</c>).</summary>
public enum S3PayloadSigning
{
    /// <summary>
    /// The body's SHA-256 is signed (and its MD5 sent as <c>Content-MD5</c>): the server refuses any other bytes.
    /// A stream is read twice, once to hash it and once to send it.
    /// </summary>
    Signed = 1,

    /// <summary>
    /// <c>UNSIGNED-PAYLOAD</c>: the body is read once; the client checks the ETag the server answers against the MD5 of
    /// what it sent.
    /// </summary>
    Unsigned = 2,

    /// <summary>
    /// <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: aws-chunked body, every chunk signed, a CRC-32C of the whole
    /// body in a signed trailer; the body is read once.
    /// </summary>
    Chunked = 3,
}
