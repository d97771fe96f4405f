using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

/// <summary>Decisions are on every request's path: a warmed-up evaluation allocates nothing.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Evaluating_a_compiled_set_allocates_nothing()
    {
        var set = CompiledPolicySet.Compile(
        [
            Statement("Tagged", "Allow", "\"demo:*\"", "\"*\"", """{ "StringEquals": { "nimbus:ResourceTag/env": "prod" } }"""),
            Statement("NotIam", "Allow", "\"demo:*\"", "\"nrn:nimbus:demo:local:111122223333:widget/x*\"", actionField: "NotAction"),
            Statement("Net", "Allow", "\"demo:*\"", "\"*\"", """{ "IpAddress": { "nimbus:SourceIp": "10.0.0.0/8" }, "DateLessThan": { "nimbus:CurrentTime": "2030-01-01" } }"""),
            Statement("Deny", "Deny", "\"demo:Delete*\"", "\"*\""),
        ]);
        var context = Context("nimbus:ResourceTag/env=dev; nimbus:SourceIp=10.1.1.1; nimbus:CurrentTime=2026-11-22T12:00:00Z");
        AuthorizationRequest[] requests = [Request("demo:GetWidget", context: context), Request("demo:DeleteWidget", context: context), Request("iam:ListUsers", context: context)];
        foreach (var request in requests)
        {
            set.Evaluate(request);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var request in requests)
            {
                set.Evaluate(request);
            }
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
