namespace Nimbus.Sdk.S3;

/// <summary>Headers of a new object. Every value is optional.</summary>
public sealed record S3PutOptions
{
    /// <summary><c>Content-Type</c>; default none (the server stores <c>binary/octet-stream</c>).</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata sent as <c>x-amz-meta-NAME</c> headers; default none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Body authentication of this request; default the client's <see cref="S3ClientOptions.PayloadSigning"/>.</summary>
    public S3PayloadSigning? PayloadSigning { get; init; }
}
