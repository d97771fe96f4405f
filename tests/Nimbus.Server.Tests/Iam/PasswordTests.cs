using Nimbus.Iam.Passwords;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests.Iam;

public sealed class PasswordTests
{
    [Fact]
    public void Hashes_use_pbkdf2_sha256_with_600000_iterations_and_a_fresh_salt()
    {
        var first = PasswordHasher.Hash("Correct-Horse-9");
        var second = PasswordHasher.Hash("Correct-Horse-9");
        first.ShouldStartWith("pbkdf2-sha256$600000$");
        PasswordHasher.IterationsOf(first).ShouldBe(600_000);
        first.ShouldNotBe(second);
        first.ShouldNotContain("Correct-Horse-9");
        PasswordHasher.Verify("Correct-Horse-9", first).ShouldBeTrue();
    }

    [Theory]
    [InlineData("correct-horse-9")]
    [InlineData("")]
    [InlineData("Correct-Horse-9 ")]
    public void Wrong_passwords_do_not_verify(string attempt)
    {
        var stored = PasswordHasher.Hash("Correct-Horse-9", iterations: 1000);
        PasswordHasher.Verify(attempt, stored).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$x$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAA")]
    [InlineData("md5$1000$AAAA$AAAA")]
    public void Damaged_hashes_never_verify(string stored) => PasswordHasher.Verify("anything", stored).ShouldBeFalse();

    [Fact]
    public void Policy_lists_every_broken_rule()
    {
        var policy = new PasswordPolicy { MinimumLength = 12, RequireSymbols = true };
        policy.Check("short").ShouldBe([
            "must be at least 12 characters long",
            "must contain an uppercase letter",
            "must contain a digit",
            "must contain a symbol",
        ]);
        policy.Check("Long-enough-pass-1").ShouldBeEmpty();
    }

    [Fact]
    public void Policy_refuses_reuse_of_recent_passwords_and_expires_old_ones()
    {
        var policy = new PasswordPolicy { PreventReuse = 2, MaxAgeDays = 90 };
        var history = new[] { PasswordHasher.Hash("Newest-Pass-1", 1000), PasswordHasher.Hash("Older-Pass-22", 1000), PasswordHasher.Hash("Oldest-Pass-333", 1000) };
        policy.IsReused("Older-Pass-22", history).ShouldBeTrue();
        policy.IsReused("Oldest-Pass-333", history).ShouldBeFalse();
        var changed = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        policy.IsExpired(changed, changed.AddDays(89)).ShouldBeFalse();
        policy.IsExpired(changed, changed.AddDays(91)).ShouldBeTrue();
        (policy with { MaxAgeDays = 0 }).IsExpired(changed, changed.AddYears(10)).ShouldBeFalse();
    }
}
