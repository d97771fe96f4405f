using System.Diagnostics;
using System.Text;
using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

/// <summary>
/// Seeded random mutations of valid documents and random bytes: the parser must answer every
/// input with a result (errors or a document), never an exception, and quickly.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] Seeds =
    [
        """{ "Version": "2012-10-17", "Statement": [ { "Sid": "A", "Effect": "Allow", "Action": ["demo:*", "iam:List*"], "Resource": "*" } ] }""",
        """{ "Statement": { "Effect": "Deny", "NotAction": "iam:*", "NotResource": ["nrn:nimbus:demo:*:*:widget/*"], "Condition": { "ForAnyValue:StringLike": { "nimbus:TagKeys": ["a*", "b?"] }, "IpAddress": { "nimbus:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } } } }""",
        """{ "Version": "2026-11-01", "Statement": [ { "Effect": "Allow", "Principal": { "Nimbus": ["111122223333", "nrn:nimbus:iam::111122223333:user/a"] }, "Action": "demo:GetWidget", "Resource": "*", "Condition": { "DateLessThan": { "nimbus:CurrentTime": "2027-01-01T00:00:00Z" }, "NumericLessThanEquals": { "demo:Copies": 5 }, "Bool": { "nimbus:SecureTransport": true }, "Null": { "nimbus:RequestTag/x": "false" } } } ] }""",
    ];

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\uD800", "null", "true", "1e999", "-0", "*", "?", "\"*\"", "\n", "\t", "é", "\u0000",
        "\"Effect\"", "\"Allow\"", "\"Statement\"", "\"Condition\"", "\"ForAllValues:\"", "IfExists", "/*", "//", "\"nrn:nimbus:\"", "[[[[[[[[[[[[[[[[[[[[",
    ];

    [Fact]
    public void Mutated_documents_never_make_the_parser_throw()
    {
        var random = new Random(20261122);
        var stopwatch = Stopwatch.StartNew();
        var parsed = 0;
        for (var i = 0; i < 4000; i++)
        {
            var text = new StringBuilder(Seeds[random.Next(Seeds.Length)]);
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations && text.Length > 0; m++)
            {
                var at = random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0:
                        text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                        break;
                    case 1:
                        text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                        break;
                    case 2:
                        text[at] = (char)random.Next(0x20, 0x7f);
                        break;
                    default:
                        var from = random.Next(text.Length);
                        text.Insert(at, text.ToString(from, Math.Min(random.Next(1, 30), text.Length - from)));
                        break;
                }
            }

            parsed += ParseSafely(text.ToString()) ? 1 : 0;
        }

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        parsed.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Random_bytes_never_make_the_parser_throw()
    {
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            ParseSafely(Encoding.UTF8.GetString(bytes));
            ParseSafely(Encoding.Latin1.GetString(bytes));
        }
    }

    [Fact]
    public void Deep_nesting_is_refused_with_an_error()
    {
        var json = "{ \"Statement\": " + new string('[', 5000) + new string(']', 5000) + " }";

        PolicyDocument.Parse(json, Catalog).Errors[^1].Message.ShouldBe("malformed JSON: The maximum configured depth of 16 has been exceeded. Cannot read next JSON array.");
    }

    /// <summary>True when the input parsed into a document.</summary>
    private static bool ParseSafely(string text)
    {
        PolicyParseResult? result = null;
        Should.NotThrow(() => result = PolicyDocument.Parse(text, Catalog));
        result!.Succeeded.ShouldBe(result.Errors.Count == 0);
        if (result.Succeeded)
        {
            // Whatever parses must compile, evaluate, and survive a round trip.
            CompiledPolicySet.Compile([new AttachedPolicy("p", "p", result.Document!)]).Evaluate(Request("demo:GetWidget"));
            PolicyDocument.Parse(result.Document!.ToJson(), Catalog).Succeeded.ShouldBeTrue();
        }

        foreach (var error in result.Errors)
        {
            error.Line.ShouldBeGreaterThan(0);
            error.Column.ShouldBeGreaterThan(0);
        }

        return result.Succeeded;
    }
}
