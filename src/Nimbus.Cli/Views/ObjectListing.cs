using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Views;

/// <summary>What <c>nimbus storage ls s3://bucket/prefix</c> prints: common prefixes and objects.</summary>
/// <param name="Bucket">The bucket listed.</param>
/// <param name="Prefixes">Prefixes rolled up at <c>/</c> (none with <c>--recursive</c>).</param>
/// <param name="Objects">The objects.</param>
internal sealed record ObjectListing(string Bucket, IReadOnlyList<string> Prefixes, IReadOnlyList<S3ObjectSummary> Objects);
