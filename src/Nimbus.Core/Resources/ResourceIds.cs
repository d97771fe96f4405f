using System.Security.Cryptography;

namespace Nimbus.Core.Resources;

/// <summary>Generates resource ids: a kind prefix, a dash and 12 random lowercase base-36 characters.</summary>
public static class ResourceIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix) => prefix + "-" + Random(12, Alphabet);

    /// <summary>A random string of <paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/>.</summary>
    public static string Random(int length, string alphabet)
    {
        return string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
    }

    /// <summary>A 12-digit account id (AWS habit, so that learners recognise it).</summary>
    public static string NewAccountId() => Random(1, "123456789") + Random(11, "0123456789");
}
