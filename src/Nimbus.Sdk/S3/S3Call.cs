namespace Nimbus.Sdk.S3;

/// <summary>One logical S3 request: what to send, and whether it may be sent again after a failure.</summary>
internal sealed record S3Call(HttpMethod Method, string Bucket, string? Key)
{
    public List<KeyValuePair<string, string?>> Query { get; } = [];

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public S3Body? Body { get; init; }

    public string? BodyContentType { get; init; }

    public S3PayloadSigning PayloadSigning { get; init; } = S3PayloadSigning.Signed;

    /// <summary>Whether sending the request twice does no harm (PUT, GET, DELETE do not; CompleteMultipartUpload does not either).</summary>
    public bool ReplaySafe { get; init; } = true;

    public S3Call WithQuery(string name, string? value = "")
    {
        if (value is not null)
        {
            Query.Add(new(name, value));
        }

        return this;
    }

    public S3Call WithHeader(string name, string? value)
    {
        if (value is not null)
        {
            Headers.Add(new(name, value));
        }

        return this;
    }
}
