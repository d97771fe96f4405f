using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Nimbus.Iam.Policies;

namespace Nimbus.Bench.Policy;

/// <summary>
/// The target case: a principal with 10 attached policies of 10 statements each
/// (mixed services, wildcards, NotAction, conditions), compiled once; each benchmark is one
/// decision against the cached <see cref="CompiledPolicySet"/>.
/// </summary>
[MemoryDiagnoser]
public class PolicyEvaluationBenchmarks
{
    private const string Account = "111122223333";
    private const string Principal = "nrn:nimbus:iam::111122223333:user/alice";

    private readonly ActionCatalog _catalog = ActionCatalog.CreateBuiltIn();
    private List<AttachedPolicy> _policies = [];
    private string _oneDocument = "";
    private CompiledPolicySet _set = null!;
    private AuthorizationRequest _allowedLast = null!;
    private AuthorizationRequest _implicitDeny = null!;
    private AuthorizationRequest _explicitDeny = null!;
    private AuthorizationRequest _conditionAllowed = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var p = 0; p < 10; p++)
        {
            var json = Document(p);
            _oneDocument = json;
            _policies.Add(new AttachedPolicy($"p-{p}", $"Policy{p}", PolicyDocument.Parse(json, _catalog).GetDocumentOrThrow()));
        }

        _set = CompiledPolicySet.Compile(_policies);
        var context = NewContext();
        _allowedLast = Request("demo:UpdateWidget", "nrn:nimbus:demo:local:111122223333:widget/w-9", context);
        _implicitDeny = Request("quota:SetQuota", "nrn:nimbus:quota:local:111122223333:quota/iam.users", context);
        _explicitDeny = Request("iam:DeleteUser", "nrn:nimbus:iam::111122223333:user/root-admin", context);
        _conditionAllowed = Request("audit:ExportEvents", "*", context);
        Check(_allowedLast, DecisionKind.Allowed);
        Check(_implicitDeny, DecisionKind.ImplicitDeny);
        Check(_explicitDeny, DecisionKind.ExplicitDeny);
        Check(_conditionAllowed, DecisionKind.Allowed);
    }

    [Benchmark(Description = "Evaluate: allowed by the last policy")]
    public PolicyDecision EvaluateAllowed() => _set.Evaluate(_allowedLast);

    [Benchmark(Description = "Evaluate: implicit deny (all statements of the service visited)")]
    public PolicyDecision EvaluateImplicitDeny() => _set.Evaluate(_implicitDeny);

    [Benchmark(Description = "Evaluate: explicit deny")]
    public PolicyDecision EvaluateExplicitDeny() => _set.Evaluate(_explicitDeny);

    [Benchmark(Description = "Evaluate: allowed through IP, date, bool and tag conditions")]
    public PolicyDecision EvaluateWithConditions() => _set.Evaluate(_conditionAllowed);

    [Benchmark(Description = "Evaluate: same conditions, context built for this request (what a real request pays)")]
    public PolicyDecision EvaluateWithConditionsFreshContext() => _set.Evaluate(Request("audit:ExportEvents", "*", NewContext()));

    [Benchmark(Description = "Compile 10 x 10 statements (once per principal, cached)")]
    public CompiledPolicySet Compile() => CompiledPolicySet.Compile(_policies);

    [Benchmark(Description = "Parse + validate one 10-statement document")]
    public PolicyParseResult Parse() => PolicyDocument.Parse(_oneDocument, _catalog);

    private void Check(AuthorizationRequest request, DecisionKind expected)
    {
        var actual = _set.Evaluate(request).Kind;
        if (actual != expected)
        {
            throw new InvalidOperationException($"{request.Action}: expected {expected}, got {actual}");
        }
    }

    private static RequestContext NewContext() =>
        new RequestContext()
            .SetSourceIp(IPAddress.Parse("10.1.2.3"))
            .SetCurrentTime(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero))
            .SetSecureTransport(true)
            .SetPrincipal(Principal, Account, "alice")
            .SetPrincipalTags([new("team", "blue")])
            .SetResourceTags([new("env", "dev")]);

    private static AuthorizationRequest Request(string action, string resource, RequestContext context) =>
        new() { Action = action, Resource = resource, PrincipalNrn = Principal, PrincipalAccount = Account, Context = context };

    // Ten statements per policy in the shapes real policies have.
    private static string Document(int p)
    {
        var statements = new StringBuilder();
        string[] bodies =
        [
            $$"""{ "Sid": "Read{{p}}", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "nrn:nimbus:iam::111122223333:user/team{{p}}/*" }""",
            $$"""{ "Sid": "Widgets{{p}}", "Effect": "Allow", "Action": ["demo:GetWidget", "demo:ListWidgets", "demo:UpdateWidget"], "Resource": "nrn:nimbus:demo:local:111122223333:widget/w-{{p}}" }""",
            $$"""{ "Sid": "Keys{{p}}", "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "nrn:nimbus:iam::111122223333:user/${p}" }""".Replace("${p}", "svc" + p),
            $$"""{ "Sid": "Tagged{{p}}", "Effect": "Allow", "Action": "demo:*", "Resource": "*", "Condition": { "StringEquals": { "nimbus:ResourceTag/env": "prod{{p}}" } } }""",
            $$"""{ "Sid": "Sts{{p}}", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "nrn:nimbus:iam::111122223333:role/deploy-{{p}}" }""",
            $$"""{ "Sid": "NoDelete{{p}}", "Effect": "Deny", "Action": ["iam:DeleteUser", "iam:DeleteRole"], "Resource": "nrn:nimbus:iam::111122223333:*/root-admin{{(p == 9 ? "" : p.ToString())}}" }""",
            $$"""{ "Sid": "Audit{{p}}", "Effect": "Allow", "Action": "audit:*", "Resource": "*", "Condition": { "IpAddress": { "nimbus:SourceIp": ["10.0.0.0/8", "fd00::/8"] }, "DateLessThan": { "nimbus:CurrentTime": "2027-01-01T00:00:00Z" }, "Bool": { "nimbus:SecureTransport": "true" }, "StringEquals": { "nimbus:PrincipalTag/team": "{{(p == 9 ? "blue" : "red")}}" } } }""",
            $$"""{ "Sid": "Groups{{p}}", "Effect": "Allow", "Action": ["iam:AddUserToGroup", "iam:RemoveUserFromGroup"], "Resource": "nrn:nimbus:iam::111122223333:group/g{{p}}" }""",
            $$"""{ "Sid": "NotIam{{p}}", "Effect": "Allow", "NotAction": ["iam:*", "sts:*", "quota:*"], "Resource": "nrn:nimbus:demo:local:111122223333:widget/w-{{p}}*" }""",
            $$"""{ "Sid": "Mfa{{p}}", "Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*", "Condition": { "BoolIfExists": { "nimbus:MultiFactorAuthPresent": "false" }, "StringLike": { "nimbus:username": "temp-{{p}}*" } } }""",
        ];
        return $$"""{ "Version": "2012-10-17", "Statement": [ {{string.Join(",\n", bodies)}} ] }""";
    }
}
