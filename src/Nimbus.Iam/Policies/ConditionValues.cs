using System.Globalization;
using System.Net;

namespace Nimbus.Iam.Policies;

/// <summary>How condition values of each type are read, shared by the validator and the evaluator.</summary>
public static class ConditionValues
{
    public static bool TryParseNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>ISO 8601 (UTC unless an offset is given) or epoch seconds, as AWS accepts.</summary>
    public static bool TryParseDate(string text, out DateTimeOffset value)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            if (epoch is >= -62135596800 and <= 253402300799)
            {
                value = DateTimeOffset.FromUnixTimeSeconds(epoch);
                return true;
            }

            value = default;
            return false;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    public static bool TryParseBool(string text, out bool value)
    {
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            value = false;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>A CIDR block, or a single address (a /32 or /128).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork value)
    {
        if (text.Contains('/'))
        {
            return IPNetwork.TryParse(text, out value);
        }

        if (IPAddress.TryParse(text, out var address))
        {
            value = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        value = default;
        return false;
    }
}
