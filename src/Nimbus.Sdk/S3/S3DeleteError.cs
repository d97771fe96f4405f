namespace Nimbus.Sdk.S3;

/// <summary>A key DeleteObjects could not delete.</summary>
/// <param name="Key">The key.</param>
/// <param name="Code">S3 error code, e.g. <c>AccessDenied</c>.</param>
/// <param name="Message">The server's message.</param>
public sealed record S3DeleteError(string Key, string Code, string Message);
