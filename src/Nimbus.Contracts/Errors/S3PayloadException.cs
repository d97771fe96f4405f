namespace Nimbus.Contracts.Errors;

/// <summary>
/// A request body or its payload headers break the S3 protocol: the client's fault, answered with
/// <see cref="Code"/> and <see cref="StatusCode"/> as an S3 error. Raised by the aws-chunked decoder,
/// the checksum header parser and the payload verifier; any other exception from them is a bug or an I/O
/// fault of the underlying stream.
/// </summary>
public sealed class S3PayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">An <see cref="S3ErrorCodes"/> code; required.</param>
    /// <param name="message">What is wrong, for the client; never contains a secret.</param>
    public S3PayloadException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        StatusCode = S3ErrorCodes.GetStatusCode(code);
    }

    /// <summary>The S3 error code, e.g. <c>IncompleteBody</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status to answer with.</summary>
    public int StatusCode { get; }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(S3PayloadException)} {Code} ({StatusCode}): {Message}";
}
