namespace Nimbus.Cli.Views;

/// <summary>The answer of <c>nimbus storage bucket versioning get</c>.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Status"><c>Enabled</c>, <c>Suspended</c> or <c>Disabled</c> (never enabled).</param>
internal sealed record VersioningState(string Bucket, string Status);
