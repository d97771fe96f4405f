using System.Text.Json;
using Nimbus.Compute.InstanceTypes;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

public sealed class InstanceTypeTests
{
    [Fact]
    public async Task Catalog_offers_general_and_compute_families_micro_to_large()
    {
        await using var server = await ComputeServer.StartAsync(waitForImage: false);
        var types = await server.Client.Compute.InstanceTypes.ListAsync();

        types.Select(t => t.Name).ShouldBe(["n1.micro", "n1.small", "n1.medium", "n1.large", "c1.micro", "c1.small", "c1.medium", "c1.large"]);
        types.Where(t => t.Name.StartsWith("n1.", StringComparison.Ordinal)).ShouldAllBe(t => t.Family == "general");
        types.Where(t => t.Name.StartsWith("c1.", StringComparison.Ordinal)).ShouldAllBe(t => t.Family == "compute");
        var micro = types.Single(t => t.Name == "n1.micro");
        micro.ShouldBe(new InstanceTypeDto { Name = "n1.micro", Family = "general", VCpus = 1, MemoryMiB = 256, PidsLimit = 256, Bandwidth = "low" });
    }

    [Fact]
    public async Task A_catalog_file_in_the_data_directory_replaces_the_built_in_one()
    {
        using var data = new TempDirectory("nimbus-compute");
        Directory.CreateDirectory(Path.Combine(data.Path, "compute"));
        var catalog = new InstanceTypeCatalogDto { Types = [new InstanceTypeDto { Name = "t9.tiny", Family = "burst", VCpus = 1, MemoryMiB = 64, PidsLimit = 64, Bandwidth = "moderate" }] };
        await File.WriteAllBytesAsync(Path.Combine(data.Path, "compute", InstanceTypeCatalog.FileName), JsonSerializer.SerializeToUtf8Bytes(catalog, NimbusJson.Options));

        await using var server = await ComputeServer.StartAsync(dataDirectory: data.Path, waitForImage: false);
        var types = await server.Client.Compute.InstanceTypes.ListAsync();
        types.ShouldBe(catalog.Types);
    }

    [Fact]
    public async Task An_invalid_catalog_file_stops_start_up_and_names_every_problem()
    {
        using var data = new TempDirectory("nimbus-compute");
        Directory.CreateDirectory(Path.Combine(data.Path, "compute"));
        await File.WriteAllTextAsync(
            Path.Combine(data.Path, "compute", InstanceTypeCatalog.FileName),
            """{"types":[{"name":"Bad Name","family":"x","vCpus":0,"memoryMiB":8,"pidsLimit":64,"bandwidth":"warp"}]}""");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => NimbusServer.StartAsync(dataDirectory: data.Path));
        error.Message.ShouldContain(InstanceTypeCatalog.FileName);
        error.Message.ShouldContain("name must be");
        error.Message.ShouldContain("vCpus must be");
        error.Message.ShouldContain("memoryMiB must be");
        error.Message.ShouldContain("bandwidth must be");
    }
}
