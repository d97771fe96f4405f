using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Json;

namespace Nimbus.Cli.Views;

/// <summary>Table columns of managed policies, built-in policies and simulation results.</summary>
internal static class PolicyView
{
    public static Table Policy(ResourceDto policy) => Policies([policy]);

    public static Table Page(PageDto<ResourceDto> page) => Policies(page.Items);

    public static Table BuiltIn(BuiltInPolicyDto policy) => BuiltIns([policy]);

    public static Table BuiltInPage(PageDto<BuiltInPolicyDto> page) => BuiltIns(page.Items);

    public static Table Simulation(SimulatePolicyResponse response)
    {
        var table = new Table("ACTION", "RESOURCE", "DECISION", "STATEMENT");
        foreach (var result in response.Results)
        {
            table.AddRow(result.Action, result.Resource, result.Decision, result.DecidingStatement);
        }

        return table;
    }

    /// <summary>The spec of an <c>iam/policy</c> resource; an empty spec when the server sent none.</summary>
    public static PolicySpec Spec(ResourceDto policy) =>
        policy.Spec.ValueKind == JsonValueKind.Object
            ? policy.Spec.Deserialize<PolicySpec>(NimbusJson.Options) ?? new PolicySpec()
            : new PolicySpec();

    /// <summary>The document of the version in force, or null when the policy has none.</summary>
    public static string? DefaultDocument(ResourceDto policy)
    {
        var spec = Spec(policy);
        return spec.Versions?.FirstOrDefault(v => v.VersionId == spec.DefaultVersion)?.Document;
    }

    private static Table Policies(IEnumerable<ResourceDto> policies)
    {
        var table = new Table("ID", "NAME", "DEFAULT VERSION", "VERSIONS", "DESCRIPTION", "CREATED");
        foreach (var policy in policies)
        {
            var spec = Spec(policy);
            table.AddRow(policy.Id, policy.Name, spec.DefaultVersion, Cells.Number(spec.Versions?.Count ?? 0), Cells.Text(spec.Description), Cells.Time(policy.CreatedAt));
        }

        return table;
    }

    private static Table BuiltIns(IEnumerable<BuiltInPolicyDto> policies)
    {
        var table = new Table("NAME", "NRN");
        foreach (var policy in policies)
        {
            table.AddRow(policy.Name, policy.Nrn);
        }

        return table;
    }
}
