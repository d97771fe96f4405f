namespace Nimbus.Iam.Policies;

/// <summary>
/// Policies copied from AWS say <c>arn:aws:</c> where Nimbus says <c>nrn:nimbus:</c> (S3 bucket policies above
/// all: <c>arn:aws:s3:::bucket/*</c>). Documents keep the text as written; the compiled form reads the AWS
/// prefix as the Nimbus one, so <c>arn:aws:s3:::b/*</c> matches <c>nrn:nimbus:s3:::b/key</c>.
/// </summary>
public static class AwsSynonyms
{
    public const string AwsPrefix = "arn:aws:";
    public const string NimbusPrefix = "nrn:nimbus:";

    /// <summary>The NRN form of an ARN (pattern) starting with <c>arn:aws:</c>; anything else unchanged.</summary>
    public static string Normalize(string value) =>
        value.StartsWith(AwsPrefix, StringComparison.Ordinal) ? NimbusPrefix + value[AwsPrefix.Length..] : value;
}
