using System.Globalization;

namespace Nimbus.Storage.S3;

/// <summary>HTTP dates (RFC 1123, <c>Last-Modified</c>) of object records, formatted once per thread for a repeated time.</summary>
internal static class HttpDates
{
    [ThreadStatic]
    private static long t_ticks;

    [ThreadStatic]
    private static string? t_text;

    /// <summary>The RFC 1123 form of <paramref name="time"/>; a run of GETs of one object formats it once per thread.</summary>
    public static string Format(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        if (t_text is { } text && t_ticks == ticks)
        {
            return text;
        }

        text = time.ToString("R", CultureInfo.InvariantCulture);
        t_ticks = ticks;
        t_text = text;
        return text;
    }
}
