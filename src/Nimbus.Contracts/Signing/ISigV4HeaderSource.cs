namespace Nimbus.Contracts.Signing;

/// <summary>
/// Read access to a request's headers for <see cref="SigV4Verifier"/>. A server adapts its own header
/// collection (for ASP.NET Core: one <c>StringValues</c> lookup per call); <see cref="SigV4HeaderCollection"/>
/// is a ready implementation.
/// </summary>
public interface ISigV4HeaderSource
{
    /// <summary>
    /// Returns the values of header <paramref name="name"/>, matched case-insensitively, one per header line
    /// in the order received; <see cref="SigV4HeaderValues.Empty"/> when the header is absent.
    /// </summary>
    /// <param name="name">Header name, lowercase as it appears in <c>SignedHeaders</c>.</param>
    SigV4HeaderValues GetValues(string name);
}
