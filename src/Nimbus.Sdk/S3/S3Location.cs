namespace Nimbus.Sdk.S3;

/// <summary>A bucket and an optional key, as written <c>s3://bucket/key</c> (awscli's syntax).</summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Key">The key or key prefix; empty for the whole bucket.</param>
public sealed record S3Location(string Bucket, string Key)
{
    /// <summary>The scheme prefix: <c>s3://</c>.</summary>
    public const string Scheme = "s3://";

    /// <summary>True when <paramref name="text"/> starts with <c>s3://</c>.</summary>
    /// <param name="text">A command-line argument.</param>
    /// <returns>Whether it names a bucket location.</returns>
    public static bool IsS3(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://bucket</c>, <c>s3://bucket/</c> or <c>s3://bucket/any/key</c>; the key is taken as written, not decoded.</summary>
    /// <param name="text">Required. The text.</param>
    /// <returns>The location.</returns>
    /// <exception cref="FormatException">Not <c>s3://</c>, or no bucket name.</exception>
    public static S3Location Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsS3(text))
        {
            throw new FormatException($"'{text}' is not an s3://bucket/key location.");
        }

        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0)
        {
            throw new FormatException($"'{text}' names no bucket: write s3://bucket/key.");
        }

        return new S3Location(bucket, slash < 0 ? "" : rest[(slash + 1)..]);
    }

    /// <inheritdoc />
    public override string ToString() => Scheme + Bucket + "/" + Key;
}
