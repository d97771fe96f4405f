using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Nimbus.Iam.Authorization;
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
    private AuthorizationRequest _bucketRead = null!;
    private CompiledPolicySet _bucketReader = null!;
    private CompiledPolicy _bucketPolicy = null!;
    private ResourcePolicyCache _resourcePolicies = null!;
    private string _bucketPolicyText = "";

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

        // A bucket of another account read through its bucket policy (AWS-style ARNs and principals).
        _catalog.Register("s3", [("GetObject", ActionAccessLevel.Read), ("PutObject", ActionAccessLevel.Write), ("ListBucket", ActionAccessLevel.List)]);
        _bucketPolicyText = BucketPolicy();
        _resourcePolicies = new ResourcePolicyCache(_catalog);
        _bucketPolicy = _resourcePolicies.Get(_bucketPolicyText);
        _bucketReader = CompiledPolicySet.Compile([new AttachedPolicy("p-s3", "S3Read", PolicyDocument.Parse(
            """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::photos*" } ] }""", _catalog).GetDocumentOrThrow())]);
        _bucketRead = Request("s3:GetObject", "nrn:nimbus:s3:::photos/2026/cat.jpg", context) with { ResourceAccount = "444455556666" };
        if (_bucketReader.Evaluate(_bucketRead, _bucketPolicy).Kind != DecisionKind.Allowed)
        {
            throw new InvalidOperationException("the bucket read should be allowed");
        }
    }

    [Benchmark(Description = "Evaluate: cross-account read, identity policy + 10-statement bucket policy")]
    public PolicyDecision EvaluateWithBucketPolicy() => _bucketReader.Evaluate(_bucketRead, _bucketPolicy);

    [Benchmark(Description = "Bucket policy: compiled form from the cache (hashing the text)")]
    public CompiledPolicy ResourcePolicyCacheHit() => _resourcePolicies.Get(_bucketPolicyText);

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

    // A bucket policy in the shape S3 users copy from AWS: public prefixes, partner accounts, denies with conditions.
    private static string BucketPolicy()
    {
        var statements = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            statements.Add($$"""{ "Sid": "Partner{{i}}", "Effect": "Allow", "Principal": { "AWS": ["arn:aws:iam::55556666{{i:D4}}:root"] }, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/shared{{i}}/*"] }""");
        }

        statements.Add("""{ "Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }""");
        statements.Add("""{ "Sid": "Team", "Effect": "Allow", "Principal": { "AWS": "111122223333" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*" }""");
        return $$"""{ "Version": "2012-10-17", "Statement": [ {{string.Join(",\n", statements)}} ] }""";
    }

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
