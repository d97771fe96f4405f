using System.Diagnostics;
using Nimbus.Iam.Policies;
using Shouldly;
using Xunit;

namespace Nimbus.Iam.Tests.Policies;

public sealed class WildcardPatternTests
{
    [Theory]
    [InlineData("*", "", false, true)]
    [InlineData("*", "nrn:nimbus:demo:local:1:widget/w", false, true)]
    [InlineData("abc", "abc", false, true)]
    [InlineData("abc", "ABC", false, false)]
    [InlineData("abc", "ABC", true, true)]
    [InlineData("a*", "a:b/c", false, true)]
    [InlineData("*c", "a:b/c", false, true)]
    [InlineData("a*c", "a:b/c", false, true)]
    [InlineData("a*c", "a:b/cd", false, false)]
    [InlineData("a?c", "abc", false, true)]
    [InlineData("a?c", "ac", false, false)]
    [InlineData("a??", "abc", false, true)]
    [InlineData("*b*", "abc", false, true)]
    [InlineData("**", "x", false, true)]
    [InlineData("a*b*c", "aXbYbZc", false, true)]
    [InlineData("a*b*c", "aXbYbZ", false, false)]
    [InlineData("iam:Get*", "IAM:getuser", true, true)]
    public void Wildcards_match_as_AWS_defines(string pattern, string value, bool ignoreCase, bool expected)
    {
        WildcardPattern.Create(pattern, ignoreCase).IsMatch(value).ShouldBe(expected);
    }

    [Fact]
    public void Hostile_patterns_cannot_make_matching_exponential()
    {
        var pattern = WildcardPattern.Create(string.Concat(Enumerable.Repeat("*a", 50)) + "*b", ignoreCase: false);
        var value = new string('a', 5000);
        var stopwatch = Stopwatch.StartNew();

        pattern.IsMatch(value).ShouldBeFalse();

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }
}
