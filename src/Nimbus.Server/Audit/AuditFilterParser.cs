using System.Globalization;
using Nimbus.Contracts.Audit;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;

namespace Nimbus.Server.Audit;

/// <summary>
/// Reads the filters of <c>GET /v1/audit/events</c> and <c>:export</c>: <c>since</c>/<c>until</c> (ISO-8601 or
/// relative to now: <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>7d</c>, <c>2w</c>), <c>principal</c>, <c>action</c>
/// (trailing <c>*</c> wildcard), <c>resource</c>, <c>outcome</c>, and for lists <c>pageSize</c>/<c>nextToken</c>.
/// Every bad field is reported at once.
/// </summary>
public static class AuditFilterParser
{
    private const int MaxFilterLength = 2048;

    public static AuditQuery Parse(HttpRequest request, DateTimeOffset now, bool paged)
    {
        var errors = new FieldErrors();
        var since = Time(errors, request, "since", now);
        var until = Time(errors, request, "until", now);
        if (since is { } s && until is { } u && s >= u)
        {
            errors.Add("until", "must be later than since");
        }

        var principal = Text(errors, request, "principal");
        var action = Text(errors, request, "action");
        if (action is not null && action.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != action.Length - 1)
        {
            errors.Add("action", "may contain '*' only at the end (e.g. iam:*)");
        }

        var resource = Text(errors, request, "resource");
        var outcome = Text(errors, request, "outcome");
        if (outcome is not null && !AuditOutcomes.IsKnown(outcome))
        {
            errors.Add("outcome", "must be allowed, denied or error");
        }

        var pageSize = Paging.DefaultPageSize;
        string? nextToken = null;
        if (paged)
        {
            var raw = request.Query["pageSize"].ToString();
            if (raw.Length > 0 && (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > Paging.MaxPageSize))
            {
                errors.Add("pageSize", $"must be a whole number from 1 to {Paging.MaxPageSize}");
            }

            nextToken = Text(errors, request, "nextToken");
        }

        errors.ThrowIfAny();
        return new AuditQuery
        {
            Since = since,
            Until = until,
            Principal = principal,
            Action = action,
            Resource = resource,
            Outcome = outcome,
            PageSize = pageSize,
            PageToken = nextToken,
        };
    }

    /// <summary>Parses an absolute (ISO-8601) or relative (<c>&lt;n&gt;s|m|h|d|w</c>, meaning that long ago) time.</summary>
    public static bool TryParseTime(string value, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        if (value.Length is >= 2 and <= 12 && long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? unit = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => null,
            };
            if (unit is { } u && amount <= 100 * 365 * 24 * 60 * 60L / (long)u.TotalSeconds)
            {
                time = now - (u * amount);
                return true;
            }
        }

        if (value.Length > 0 && char.IsAsciiDigit(value[0])
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }

        return false;
    }

    private static DateTimeOffset? Time(FieldErrors errors, HttpRequest request, string field, DateTimeOffset now)
    {
        var value = Text(errors, request, field);
        if (value is null)
        {
            return null;
        }

        if (TryParseTime(value, now, out var time))
        {
            return time;
        }

        errors.Add(field, "must be an ISO-8601 time (2026-11-22T10:00:00Z) or a relative one (30m, 1h, 7d)");
        return null;
    }

    private static string? Text(FieldErrors errors, HttpRequest request, string field)
    {
        var values = request.Query[field];
        if (values.Count == 0)
        {
            return null;
        }

        var value = values.ToString();
        if (values.Count > 1)
        {
            errors.Add(field, "may be given once");
            return null;
        }

        if (value.Length == 0 || value.Length > MaxFilterLength)
        {
            errors.Add(field, $"must be 1 to {MaxFilterLength} characters");
            return null;
        }

        return value;
    }
}
