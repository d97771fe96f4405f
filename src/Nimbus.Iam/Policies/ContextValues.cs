using System.Net;

namespace Nimbus.Iam.Policies;

/// <summary>
/// The values of one request-context key, with their typed forms parsed on first use: ten
/// policies testing <c>nimbus:SourceIp</c> or <c>nimbus:CurrentTime</c> parse the request's value
/// once, not ten times (re-parsing them dominated the conditions benchmark).
/// </summary>
public sealed class ContextValues
{
    // Lazily filled; a race only parses twice and stores equal arrays, so no lock is needed.
    private IPAddress?[]? _addresses;
    private DateTimeOffset?[]? _dates;
    private decimal?[]? _numbers;

    internal ContextValues(string[] values)
    {
        Values = values;
    }

    public string[] Values { get; }

    internal IPAddress?[] Addresses => _addresses ??= Values.Select(v => IPAddress.TryParse(v, out var a) ? a : null).ToArray();

    internal DateTimeOffset?[] Dates => _dates ??= Values.Select(v => ConditionValues.TryParseDate(v, out var d) ? d : (DateTimeOffset?)null).ToArray();

    internal decimal?[] Numbers => _numbers ??= Values.Select(v => ConditionValues.TryParseNumber(v, out var n) ? n : (decimal?)null).ToArray();
}
