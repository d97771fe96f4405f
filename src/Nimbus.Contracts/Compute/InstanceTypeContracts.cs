namespace Nimbus.Contracts.Compute;

/// <summary>One instance type of the catalog (<c>GET /v1/compute/instance-types</c>): what an instance of it may use.</summary>
public sealed record InstanceTypeDto
{
    /// <summary>Name, <c>&lt;family letter&gt;&lt;generation&gt;.&lt;size&gt;</c>, e.g. <c>n1.micro</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Family: <c>general</c> (balanced memory per vCPU) or <c>compute</c> (less memory per vCPU); a custom catalog may add others.</summary>
    public required string Family { get; init; }

    /// <summary>Virtual CPUs: the instance's CPU quota, in whole CPUs of the host.</summary>
    public required int VCpus { get; init; }

    /// <summary>Memory in MiB: a hard limit, with swap disabled.</summary>
    public required int MemoryMiB { get; init; }

    /// <summary>Largest number of processes and threads inside the instance.</summary>
    public required int PidsLimit { get; init; }

    /// <summary>Network bandwidth class: <c>low</c>, <c>moderate</c>, <c>high</c> or <c>very-high</c> (enforced once instances have networks).</summary>
    public required string Bandwidth { get; init; }
}

/// <summary>The instance type catalog as the file <c>&lt;data-dir&gt;/compute/instance-types.json</c> holds it.</summary>
public sealed record InstanceTypeCatalogDto
{
    /// <summary>Every type offered; names unique.</summary>
    public required IReadOnlyList<InstanceTypeDto> Types { get; init; }
}
