namespace Nimbus.Contracts.Signing;

/// <summary>
/// What the verifier parsed from the Authorization header or presigned query, before the secret lookup.
/// Slices point into the request's own strings, so parsing allocates only the access key id.
/// </summary>
internal struct SigV4ParsedSignature
{
    public string AccessKeyId;
    public ReadOnlyMemory<char> Scope;
    public ReadOnlyMemory<char> ScopeDate;
    public ReadOnlyMemory<char> Region;
    public ReadOnlyMemory<char> Service;
    public ReadOnlyMemory<char> SignedHeaders;
    public ReadOnlyMemory<char> Signature;
    public ReadOnlyMemory<char> AmzDate;
    public DateTimeOffset SignedAt;
    public bool IsPresigned;
    public DateTimeOffset? ExpiresAt;
    public string? SessionToken;
    public string PayloadHash;

    /// <summary>Second payload hash to try (a presigned URL for a service other than S3 may sign the body hash).</summary>
    public string? AlternatePayloadHash;
}
