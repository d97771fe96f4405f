using System.Security.Cryptography;
using System.Text;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>A deliberately naive SigV4 (strings and fresh HMACs) to check the optimized code against.</summary>
internal static class ReferenceSigV4
{
    public static string Signature(string secret, string amzDate, string region, string service, string canonicalRequest)
    {
        string scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        string stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        byte[] key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), amzDate[..8]);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Convert.ToHexStringLower(Hmac(key, stringToSign));
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
