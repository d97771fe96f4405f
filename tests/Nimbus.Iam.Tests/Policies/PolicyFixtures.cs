using Nimbus.Iam.Policies;
using Shouldly;

namespace Nimbus.Iam.Tests.Policies;

/// <summary>Shared names and helpers: one catalog, one account, parse-or-fail.</summary>
internal static class PolicyFixtures
{
    public const string Account = "111122223333";
    public const string OtherAccount = "444455556666";
    public const string Alice = "nrn:nimbus:iam::111122223333:user/alice";
    public const string Bob = "nrn:nimbus:iam::444455556666:user/bob";
    public const string Widget = "nrn:nimbus:demo:local:111122223333:widget/w-1";

    public static ActionCatalog Catalog { get; } = ActionCatalog.CreateBuiltIn();

    public static PolicyDocument Parse(string json, PolicyKind kind = PolicyKind.Identity)
    {
        var result = PolicyDocument.Parse(json, Catalog, kind);
        result.Errors.ShouldBeEmpty();
        return result.Document!;
    }

    public static AttachedPolicy Policy(string name, string json, PolicyKind kind = PolicyKind.Identity) =>
        new("p-" + name, name, Parse(json, kind));

    /// <summary>A one-statement identity policy: <c>Statement(Allow, "demo:*", "*")</c>.</summary>
    public static AttachedPolicy Statement(string name, string effect, string action, string resource, string? condition = null, string actionField = "Action", string resourceField = "Resource") =>
        Policy(name, $$"""
            { "Version": "2012-10-17", "Statement": [ { "Sid": "{{name}}", "Effect": "{{effect}}", "{{actionField}}": {{action}}, "{{resourceField}}": {{resource}}{{(condition is null ? "" : ", \"Condition\": " + condition)}} } ] }
            """);

    public static AuthorizationRequest Request(string action, string resource = Widget, string principal = Alice, string account = Account, RequestContext? context = null) =>
        new() { Action = action, Resource = resource, PrincipalNrn = principal, PrincipalAccount = account, Context = context ?? RequestContext.Empty };

    /// <summary>Context from <c>"key=v1|v2; key2=v"</c>; <c>"key="</c> sets a present but empty key.</summary>
    public static RequestContext Context(string spec)
    {
        var context = new RequestContext();
        foreach (var entry in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.IndexOf('=');
            var values = entry[(eq + 1)..];
            context.Set(entry[..eq], values.Length == 0 ? [] : values.Split('|'));
        }

        return context;
    }
}
