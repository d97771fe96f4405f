namespace Nimbus.Iam.Policies;

/// <summary>The outcome of <see cref="PolicyDocument.Parse"/>: a document, or every error found.</summary>
public sealed record PolicyParseResult(PolicyDocument? Document, IReadOnlyList<PolicyError> Errors)
{
    public bool Succeeded => Document is not null && Errors.Count == 0;

    /// <summary>The document, or a <see cref="PolicyValidationException"/> listing every error.</summary>
    public PolicyDocument GetDocumentOrThrow() =>
        Succeeded ? Document! : throw new PolicyValidationException(Errors);
}
