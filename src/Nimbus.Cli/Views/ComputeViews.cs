using System.Globalization;
using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Json;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of instance types, images and instances.</summary>
internal static class ComputeViews
{
    public static Table InstanceTypes(IReadOnlyList<InstanceTypeDto> types)
    {
        var table = new Table("NAME", "FAMILY", "VCPUS", "MEMORY_MIB", "PIDS", "BANDWIDTH");
        foreach (var type in types)
        {
            table.AddRow(type.Name, type.Family, Cells.Number(type.VCpus), Cells.Number(type.MemoryMiB), Cells.Number(type.PidsLimit), type.Bandwidth);
        }

        return table;
    }

    public static Table Image(ResourceDto image) => Images([image]);

    public static Table Images(IReadOnlyList<ResourceDto> images)
    {
        var table = new Table("ID", "NAME", "PHASE", "OS", "ARCH", "SIZE", "DEFAULT_COMMAND", "OWNER", "VISIBILITY", "DEPRECATED", "MESSAGE", "CREATED");
        foreach (var image in images)
        {
            var spec = image.Spec.Deserialize<ImageSpec>(NimbusJson.Options);
            var details = image.Status.Details is { ValueKind: JsonValueKind.Object } d ? d.Deserialize<ImageDetailsDto>(NimbusJson.Options) : null;
            var command = details?.DefaultCommand ?? spec?.DefaultCommand ?? [];
            var visibility = spec is null ? "-" : spec.Public ? "public" : spec.SharedWith.Count > 0 ? $"shared ({spec.SharedWith.Count})" : "private";
            table.AddRow(
                image.Id,
                image.Name,
                image.Status.Phase,
                spec?.Os,
                spec?.Architecture,
                details is null ? "-" : Size(details.SizeBytes),
                command.Count == 0 ? "(none: idles)" : Cells.Text(string.Join(' ', command)),
                image.Account,
                visibility,
                spec?.DeprecatedAt is { } since ? Cells.Time(since) : "no",
                Cells.Text(image.Status.Message),
                Cells.Time(image.CreatedAt));
        }

        return table;
    }

    public static Table Instance(ResourceDto instance) => Instances([instance]);

    public static Table InstancePage(PageDto<ResourceDto> page) => Instances(page.Items);

    public static Table Instances(IEnumerable<ResourceDto> instances)
    {
        var table = new Table("ID", "NAME", "PHASE", "TYPE", "IMAGE", "HOSTNAME", "PRIVATE_IP", "MESSAGE", "TAGS", "CREATED");
        foreach (var instance in instances)
        {
            var spec = instance.Spec.Deserialize<InstanceSpec>(NimbusJson.Options);
            table.AddRow(
                instance.Id,
                instance.Name,
                instance.Status.Phase,
                spec?.InstanceType,
                spec?.ImageId,
                spec?.Hostname,
                instance.Status.Phase == "terminated" ? "-" : spec?.NetworkInterface?.PrivateIpAddress ?? "-",
                Cells.Text(instance.Status.Message),
                Cells.Tags(instance.Tags),
                Cells.Time(instance.CreatedAt));
        }

        return table;
    }

    public static Table Garbage(GarbageReportDto report)
    {
        var table = new Table("KIND", "ID", "LOCATION");
        foreach (var leak in report.Leaks)
        {
            table.AddRow(leak.Kind, leak.Id, leak.Location);
        }

        return table;
    }

    public static Table Stats(InstanceStatsDto stats)
    {
        var table = new Table("METRIC", "VALUE");
        table.AddRow("cpu seconds", (stats.CpuUsageNanoseconds / 1e9).ToString("0.000", CultureInfo.InvariantCulture));
        table.AddRow("cpu throttled", $"{Cells.Number(stats.CpuThrottledPeriods)} periods, {(stats.CpuThrottledNanoseconds / 1e9).ToString("0.000", CultureInfo.InvariantCulture)} s");
        table.AddRow("memory", $"{Size(stats.MemoryBytes)} of {Size(stats.MemoryLimitBytes)} (peak {Size(stats.MemoryPeakBytes)})");
        table.AddRow("oom kills", Cells.Number(stats.OomKills));
        table.AddRow("processes", $"{Cells.Number(stats.Pids)} of {Cells.Number(stats.PidsLimit)}");
        table.AddRow("block read/write", $"{Size(stats.BlockReadBytes)} / {Size(stats.BlockWriteBytes)}");
        foreach (var network in stats.Network)
        {
            table.AddRow($"net {network.Name} rx/tx", $"{Size(network.RxBytes)} ({Cells.Number(network.RxPackets)} packets) / {Size(network.TxBytes)} ({Cells.Number(network.TxPackets)} packets)");
        }

        return table;
    }

    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
}
