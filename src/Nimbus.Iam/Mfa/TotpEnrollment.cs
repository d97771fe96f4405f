namespace Nimbus.Iam.Mfa;

/// <summary>
/// Enabling an MFA device takes two consecutive codes (as AWS does): it proves the device holds
/// the secret and that its clock runs in step. Returns the step of the second code, which becomes
/// the device's last used step so neither code can be replayed to sign in.
/// </summary>
public static class TotpEnrollment
{
    public static long? Verify(ReadOnlySpan<byte> secret, string firstCode, string secondCode, DateTimeOffset now)
    {
        // The pair may be read off the app across a step boundary, and the clock may drift: look a few steps around now.
        var second = Totp.Match(secret, secondCode, now, window: 2);
        if (second is null)
        {
            return null;
        }

        var first = Totp.Compute(secret, second.Value - 1);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(first), System.Text.Encoding.ASCII.GetBytes(firstCode)) ? second : null;
    }

    /// <summary>Accepts a sign-in code only for a step after the last one used (no replay within the window).</summary>
    public static long? VerifySignIn(ReadOnlySpan<byte> secret, string code, long lastUsedStep, DateTimeOffset now)
    {
        var step = Totp.Match(secret, code, now);
        return step is { } s && s > lastUsedStep ? s : null;
    }
}
