using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;
using static Nimbus.Iam.Tests.Policies.PolicyFixtures;

namespace Nimbus.Iam.Tests.Policies;

public sealed class ParserErrorTests
{
    private static string[] Errors(string json, PolicyKind kind = PolicyKind.Identity)
    {
        var result = PolicyDocument.Parse(json, Catalog, kind);
        result.Succeeded.ShouldBeFalse();
        result.Document.ShouldBeNull();
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Fact]
    public void Wrong_effect_reports_line_column_and_what_was_expected()
    {
        var json = """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Effect": "allow", "Action": "demo:GetWidget", "Resource": "*" }
              ]
            }
            """;

        Errors(json).ShouldBe(["line 4, column 17: expected \"Allow\" or \"Deny\", found \"allow\""]);
    }

    [Fact]
    public void Every_error_of_a_document_is_reported_at_once()
    {
        var json = """
            {
              "Version": "2012-10-18",
              "Colour": "blue",
              "Statement": [
                { "Effect": "Allow", "Action": "demo:Frobnicate", "Resource": "*" },
                { "Action": "demo:GetWidget", "NotAction": "iam:*", "Resource": "widget" },
                { "Effect": "Deny", "Action": "nope:Get", "Resource": "*", "Condition": { "StringEqual": { "k": "v" } } }
              ]
            }
            """;

        Errors(json).ShouldBe(
        [
            "line 2, column 14: expected \"2012-10-17\" or \"2026-11-01\", found \"2012-10-18\"",
            "line 3, column 3: unknown field \"Colour\"; expected one of \"Version\", \"Id\" or \"Statement\"",
            "line 5, column 36: unknown action \"demo:Frobnicate\"; it matches no action of service \"demo\"",
            "line 6, column 69: malformed resource \"widget\"; expected \"*\" or an NRN pattern \"nrn:nimbus:<service>:<region>:<account>:<resource>\"",
            "line 6, column 5: missing \"Effect\"; expected \"Allow\" or \"Deny\"",
            "line 6, column 35: \"Action\" and \"NotAction\" cannot both be present",
            "line 7, column 35: unknown service \"nope\" in action \"nope:Get\"",
            "line 7, column 79: unknown condition operator \"StringEqual\"",
        ]);
    }

    // A statement body (inserted at line 1, column 41 of the document), the expected error.
    public static TheoryData<string, string> StatementErrors => new()
    {
        { """{ "Effect": "Allow", "Resource": "*" }""", "line 1, column 41: missing \"Action\" or \"NotAction\"" },
        { """{ "Effect": "Allow", "Action": "*" }""", "line 1, column 41: missing \"Resource\" or \"NotResource\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Resource": "*" }""", "line 1, column 94: duplicate field \"Resource\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Sid": 7 }""", "line 1, column 101: expected a string, found the number 7" },
        { """{ "Effect": "Allow", "Action": [], "Resource": "*" }""", "line 1, column 72: expected at least one value, found an empty array" },
        { """{ "Effect": "Allow", "Action": 42, "Resource": "*" }""", "line 1, column 72: expected a string or an array of strings, found the number 42" },
        { """{ "Effect": "Allow", "Action": "demo", "Resource": "*" }""", "line 1, column 72: malformed action \"demo\"; expected \"*\" or \"service:Action\" (letters and digits, with * and ? as wildcards)" },
        { """{ "Effect": "Allow", "Action": "demo:Get Widget", "Resource": "*" }""", "line 1, column 72: malformed action \"demo:Get Widget\"; expected \"*\" or \"service:Action\" (letters and digits, with * and ? as wildcards)" },
        { """{ "Effect": "Allow", "Action": "*:GetWidget", "Resource": "*" }""", "line 1, column 72: malformed action \"*:GetWidget\"; expected \"*\" or \"service:Action\" (letters and digits, with * and ? as wildcards)" },
        { """{ "Effect": "Allow", "Action": "demo:Get*Thing", "Resource": "*" }""", "line 1, column 72: unknown action \"demo:Get*Thing\"; it matches no action of service \"demo\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "nrn:nimbus:demo" }""", "line 1, column 89: malformed resource \"nrn:nimbus:demo\"; expected \"*\" or an NRN pattern \"nrn:nimbus:<service>:<region>:<account>:<resource>\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*" }""", "line 1, column 94: \"Principal\" is not allowed in an identity policy; it belongs in resource policies" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": [] }""", "line 1, column 107: expected an object of condition operators, found an array" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "Bool": "true" } }""", "line 1, column 117: expected an object of condition keys for Bool, found \"true\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "Bool": { "nimbus:SecureTransport": "yes" } } }""", "line 1, column 145: expected \"true\" or \"false\" for Bool, found \"yes\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "NumericLessThan": { "demo:Copies": "ten" } } }""", "line 1, column 145: expected a number for NumericLessThan, found \"ten\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "DateLessThan": { "nimbus:CurrentTime": "soon" } } }""", "line 1, column 149: expected an ISO 8601 date or epoch seconds for DateLessThan, found \"soon\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "IpAddress": { "nimbus:SourceIp": "10.0.0.0/33" } } }""", "line 1, column 143: expected an IPv4 or IPv6 address or CIDR block for IpAddress, found \"10.0.0.0/33\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "StringEquals": { "k": [] } } }""", "line 1, column 132: expected at least one value for StringEquals, found an empty array" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "StringEquals": { "k": null } } }""", "line 1, column 132: expected a string, number or boolean for StringEquals, found null" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "NullIfExists": { "k": "true" } } }""", "line 1, column 109: unknown condition operator \"NullIfExists\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "ForSomeValues:StringEquals": { "k": "v" } } }""", "line 1, column 109: unknown condition operator \"ForSomeValues:StringEquals\"" },
        { """{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "stringequals": { "k": "v" } } }""", "line 1, column 109: unknown condition operator \"stringequals\"" },
    };

    [Theory]
    [MemberData(nameof(StatementErrors))]
    public void Statement_errors_name_their_position(string statement, string expected)
    {
        Errors("""{ "Version": "2012-10-17", "Statement": """ + statement + " }").ShouldBe([expected]);
    }

    [Theory]
    [InlineData("", "line 1, column 1: malformed JSON: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, when isFinalBlock is true.")]
    [InlineData("[]", "line 1, column 1: expected a policy object, found an array")]
    [InlineData("{}", "line 1, column 1: missing \"Statement\"")]
    [InlineData("{ \"Statement\": [] }", "line 1, column 16: expected at least one statement, found an empty array")]
    [InlineData("{ \"Statement\": \"x\" }", "line 1, column 16: expected a statement object or an array of statements, found \"x\"")]
    [InlineData("{ \"Statement\": [ 1 ] }", "line 1, column 18: expected a statement object, found the number 1")]
    [InlineData("{\n  \"Statement\": [\n    { \"Effect\": \"Allow\",, }\n  ]\n}", "line 3, column 25: malformed JSON: ',' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("{ \"Statement\": { \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\" } } x", "line 1, column 72: malformed JSON: 'x' is invalid after a single JSON value. Expected end of data.")]
    public void Document_level_errors_name_their_position(string json, string expected)
    {
        Errors(json).ShouldBe([expected]);
    }

    [Fact]
    public void Documents_over_10_KB_are_refused()
    {
        var json = "{ \"Statement\": { \"Sid\": \"" + new string('a', 10_300) + "\", \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\" } }";

        Errors(json).ShouldBe(["line 1, column 1: the document is 10381 bytes; at most 10240 are allowed"]);
    }

    [Fact]
    public void Resource_policies_may_be_20_KB_as_bucket_policies_are()
    {
        string Sized(int sid) => "{ \"Statement\": { \"Sid\": \"" + new string('a', sid) + "\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\" } }";

        var accepted = PolicyDocument.Parse(Sized(15_000), Catalog, PolicyKind.Resource);
        accepted.Errors.ShouldBeEmpty();
        accepted.Succeeded.ShouldBeTrue();
        Errors(Sized(20_400), PolicyKind.Resource).ShouldBe(["line 1, column 1: the document is 20499 bytes; at most 20480 are allowed"]);
    }

    [Fact]
    public void Documents_over_100_statements_are_refused()
    {
        var statements = string.Join(",\n", Enumerable.Repeat("""{"Effect":"Allow","Action":"*","Resource":"*"}""", 101));

        Errors("{ \"Statement\": [\n" + statements + "\n] }").ShouldBe(["line 102, column 1: too many statements; at most 100 are allowed"]);
    }

    [Fact]
    public void Resource_policies_need_a_principal_and_check_its_form()
    {
        Errors("""{ "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(["line 1, column 16: missing \"Principal\" or \"NotPrincipal\"; a resource policy must say whom it applies to"]);
        Errors("""{ "Statement": { "Effect": "Allow", "Principal": { "Service": "*" }, "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(["line 1, column 63: malformed service principal \"*\"; expected a service name such as \"compute.nimbus\""]);
        Errors("""{ "Statement": { "Effect": "Allow", "Principal": { "Federated": "x" }, "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(["line 1, column 52: unknown principal type \"Federated\"; expected \"Nimbus\", \"AWS\" or \"Service\" (once each)"]);
        Errors("""{ "Statement": { "Effect": "Allow", "Principal": { "AWS": "*", "AWS": "*" }, "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(["line 1, column 64: unknown principal type \"AWS\"; expected \"Nimbus\", \"AWS\" or \"Service\" (once each)"]);
        Errors("""{ "Statement": { "Effect": "Allow", "Principal": { "Nimbus": ["1234", "alice"] }, "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(
            [
                "line 1, column 63: malformed principal \"1234\"; expected \"*\", a 12-digit account id or an NRN",
                "line 1, column 71: malformed principal \"alice\"; expected \"*\", a 12-digit account id or an NRN",
            ]);
    }

    [Fact]
    public void NotPrincipal_is_refused_with_Allow()
    {
        Errors("""{ "Statement": { "Effect": "Allow", "NotPrincipal": "*", "Action": "*", "Resource": "*" } }""", PolicyKind.Resource)
            .ShouldBe(["line 1, column 37: \"NotPrincipal\" can only be used with \"Effect\": \"Deny\""]);
    }

    [Fact]
    public void Sid_holds_only_letters_and_digits()
    {
        Errors("""{ "Statement": { "Sid": "read widgets", "Effect": "Allow", "Action": "*", "Resource": "*" } }""")
            .ShouldBe(["line 1, column 25: malformed Sid \"read widgets\"; expected ASCII letters and digits only"]);
    }

    [Fact]
    public void Columns_count_characters_not_utf8_bytes()
    {
        Errors("{ \"Id\": \"héllo\", \"Statement\": true }").ShouldBe(["line 1, column 31: expected a statement object or an array of statements, found true"]);
    }

    [Fact]
    public void Valid_document_with_a_single_statement_object_parses()
    {
        var document = Parse("""
            { "Version": "2026-11-01", "Id": "x", "Statement": { "Sid": "One", "Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "nrn:nimbus:iam:*",
              "Condition": { "ForAllValues:StringLikeIfExists": { "nimbus:TagKeys": ["a*", 1, true] } } } }
            """);

        document.Version.ShouldBe("2026-11-01");
        document.Statements.Count.ShouldBe(1);
        var statement = document.Statements[0];
        statement.Effect.ShouldBe(PolicyEffect.Deny);
        statement.NotActions.ShouldBe(["iam:*"]);
        statement.NotResources.ShouldBe(["nrn:nimbus:iam:*"]);
        statement.Conditions.ShouldHaveSingleItem().Values.ShouldBe(["a*", "1", "true"]);
        statement.Conditions[0].Operator.ShouldBe(new ConditionOperator("ForAllValues:StringLikeIfExists", ConditionOperatorKind.StringLike, false, true, SetQualifier.ForAllValues));
    }

    [Fact]
    public void GetDocumentOrThrow_throws_the_validation_error_with_every_error()
    {
        var result = PolicyDocument.Parse("""{ "Statement": { "Effect": "Maybe", "Action": "x", "Resource": "*" } }""", Catalog);

        var ex = Should.Throw<PolicyValidationException>(() => result.GetDocumentOrThrow());

        ex.Code.ShouldBe("InvalidParameter");
        ex.Errors.Count.ShouldBe(2);
        ex.FieldErrors.Count.ShouldBe(2);
    }
}
