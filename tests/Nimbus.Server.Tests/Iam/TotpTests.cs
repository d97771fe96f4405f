using System.Security.Cryptography;
using System.Text;
using Nimbus.Iam.Mfa;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests.Iam;

public sealed class TotpTests
{
    // RFC 6238 Appendix B: 8-digit codes for the reference secrets at the reference times.
    [Theory]
    [InlineData("SHA1", 59L, "94287082")]
    [InlineData("SHA1", 1111111109L, "07081804")]
    [InlineData("SHA1", 1111111111L, "14050471")]
    [InlineData("SHA1", 1234567890L, "89005924")]
    [InlineData("SHA1", 2000000000L, "69279037")]
    [InlineData("SHA1", 20000000000L, "65353130")]
    [InlineData("SHA256", 59L, "46119246")]
    [InlineData("SHA256", 1111111109L, "68084774")]
    [InlineData("SHA256", 20000000000L, "77737706")]
    [InlineData("SHA512", 59L, "90693936")]
    [InlineData("SHA512", 1111111109L, "25091201")]
    [InlineData("SHA512", 20000000000L, "47863826")]
    public void Codes_match_the_rfc_6238_test_vectors(string algorithm, long unixTime, string expected)
    {
        var secret = algorithm switch
        {
            "SHA1" => "12345678901234567890",
            "SHA256" => "12345678901234567890123456789012",
            _ => "1234567890123456789012345678901234567890123456789012345678901234",
        };
        var step = Totp.StepOf(DateTimeOffset.FromUnixTimeSeconds(unixTime));
        Totp.Compute(Encoding.ASCII.GetBytes(secret), step, digits: 8, new HashAlgorithmName(algorithm)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_matches_rfc_4648(string plain, string encoded)
    {
        Base32.Encode(Encoding.ASCII.GetBytes(plain)).ShouldBe(encoded);
        Encoding.ASCII.GetString(Base32.Decode(encoded.ToLowerInvariant() + "===")!).ShouldBe(plain);
    }

    [Fact]
    public void Base32_refuses_characters_outside_its_alphabet() => Base32.Decode("MZ1W").ShouldBeNull();

    [Fact]
    public void A_code_is_accepted_one_step_either_side_but_not_two()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepOf(now);
        Totp.Match(secret, Totp.Compute(secret, step - 1), now).ShouldBe(step - 1);
        Totp.Match(secret, Totp.Compute(secret, step + 1), now).ShouldBe(step + 1);
        Totp.Match(secret, Totp.Compute(secret, step - 2), now).ShouldBeNull();
        Totp.Match(secret, "12345", now).ShouldBeNull();
        Totp.Match(secret, "abcdef", now).ShouldBeNull();
    }

    [Fact]
    public void Enabling_needs_two_consecutive_codes_and_sign_in_refuses_replay()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
        var step = Totp.StepOf(now);
        var enabledAt = TotpEnrollment.Verify(secret, Totp.Compute(secret, step - 1), Totp.Compute(secret, step), now);
        enabledAt.ShouldBe(step);
        TotpEnrollment.Verify(secret, Totp.Compute(secret, step - 2), Totp.Compute(secret, step), now).ShouldBeNull();
        TotpEnrollment.Verify(secret, Totp.Compute(secret, step), Totp.Compute(secret, step), now).ShouldBeNull();

        // The enrolment codes cannot be replayed to sign in; the next step's code can.
        TotpEnrollment.VerifySignIn(secret, Totp.Compute(secret, step), enabledAt!.Value, now).ShouldBeNull();
        TotpEnrollment.VerifySignIn(secret, Totp.Compute(secret, step + 1), enabledAt.Value, now.AddSeconds(30)).ShouldBe(step + 1);
    }

    [Fact]
    public void Provisioning_uri_carries_the_secret_in_base32()
    {
        var uri = Totp.ProvisioningUri("Nimbus", "alice@123456789012", Encoding.ASCII.GetBytes("foobar"));
        uri.ShouldBe("otpauth://totp/Nimbus:alice%40123456789012?secret=MZXW6YTBOI&issuer=Nimbus&algorithm=SHA1&digits=6&period=30");
    }
}
