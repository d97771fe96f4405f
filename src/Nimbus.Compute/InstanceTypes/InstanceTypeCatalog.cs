using System.Collections.Frozen;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;

namespace Nimbus.Compute.InstanceTypes;

/// <summary>
/// The instance types this installation offers. Built-in: the <c>n1</c> (general) and <c>c1</c> (compute) families,
/// micro to large. An operator replaces the catalog with <c>&lt;compute-dir&gt;/instance-types.json</c>
/// (<c>{"types":[...]}</c>); a file that does not validate stops start-up with every problem listed, rather than
/// silently running with another catalog than the one written.
/// </summary>
public sealed class InstanceTypeCatalog
{
    public const string FileName = "instance-types.json";

    private static readonly string[] BandwidthClasses = ["low", "moderate", "high", "very-high"];

    private readonly FrozenDictionary<string, InstanceTypeDto> _byName;

    public InstanceTypeCatalog(IReadOnlyList<InstanceTypeDto> types)
    {
        var problems = Validate(types);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("instance type catalog is invalid: " + string.Join("; ", problems));
        }

        Types = types;
        _byName = types.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Every type, in catalog order.</summary>
    public IReadOnlyList<InstanceTypeDto> Types { get; }

    public static IReadOnlyList<InstanceTypeDto> BuiltIn { get; } =
    [
        Type("n1.micro", "general", 1, 256, 256, "low"),
        Type("n1.small", "general", 1, 1024, 512, "low"),
        Type("n1.medium", "general", 2, 2048, 1024, "moderate"),
        Type("n1.large", "general", 2, 4096, 2048, "moderate"),
        Type("c1.micro", "compute", 1, 128, 256, "low"),
        Type("c1.small", "compute", 2, 512, 512, "moderate"),
        Type("c1.medium", "compute", 4, 1024, 1024, "high"),
        Type("c1.large", "compute", 8, 2048, 2048, "very-high"),
    ];

    public InstanceTypeDto? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The catalog of <paramref name="directory"/>'s <see cref="FileName"/>, or the built-in one when there is no such file.</summary>
    public static InstanceTypeCatalog Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return new InstanceTypeCatalog(BuiltIn);
        }

        InstanceTypeCatalogDto? file;
        try
        {
            file = JsonSerializer.Deserialize<InstanceTypeCatalogDto>(File.ReadAllBytes(path), NimbusJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not a valid instance type catalog: {ex.Message}", ex);
        }

        try
        {
            return new InstanceTypeCatalog(file?.Types ?? []);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Every problem of a catalog, empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<InstanceTypeDto> types)
    {
        var problems = new List<string>();
        if (types.Count == 0)
        {
            problems.Add("it offers no type");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            var label = $"type '{type.Name}'";
            if (type.Name is null || type.Name.Length is 0 or > 32 || !type.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            {
                problems.Add($"{label}: name must be 1 to 32 lower-case letters, digits, '.' or '-'");
            }
            else if (!names.Add(type.Name))
            {
                problems.Add($"{label}: name is given twice");
            }

            if (string.IsNullOrWhiteSpace(type.Family))
            {
                problems.Add($"{label}: family is required");
            }

            if (type.VCpus is < 1 or > 256)
            {
                problems.Add($"{label}: vCpus must be from 1 to 256");
            }

            if (type.MemoryMiB is < 16 or > 4 * 1024 * 1024)
            {
                problems.Add($"{label}: memoryMiB must be from 16 to 4194304");
            }

            if (type.PidsLimit is < 16 or > 4_194_304)
            {
                problems.Add($"{label}: pidsLimit must be from 16 to 4194304");
            }

            if (!BandwidthClasses.Contains(type.Bandwidth))
            {
                problems.Add($"{label}: bandwidth must be one of {string.Join(", ", BandwidthClasses)}");
            }
        }

        return problems;
    }

    private static InstanceTypeDto Type(string name, string family, int vcpus, int memoryMiB, int pids, string bandwidth) =>
        new() { Name = name, Family = family, VCpus = vcpus, MemoryMiB = memoryMiB, PidsLimit = pids, Bandwidth = bandwidth };
}
