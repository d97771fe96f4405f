using System.Globalization;
using System.Net;

namespace Nimbus.Iam.Policies;

/// <summary>
/// The condition-key values of one request, filled at the API edge (time is stamped there, not
/// read here). Build it, then treat it as read-only while evaluating.
/// </summary>
public sealed class RequestContext
{
    private readonly Dictionary<string, ContextValues> _values = new(StringComparer.Ordinal);
    private bool _frozen;

    /// <summary>A shared context with no keys; it refuses <see cref="Set"/>.</summary>
    public static RequestContext Empty { get; } = new() { _frozen = true };

    public int Count => _values.Count;

    /// <summary>Sets a key (single- or multi-valued); an empty array makes the key present but empty.</summary>
    public RequestContext Set(string key, params string[] values)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("RequestContext.Empty is shared and cannot be changed; create a new RequestContext.");
        }

        _values[ConditionKeys.Normalize(key)] = new ContextValues(values);
        return this;
    }

    public RequestContext SetSourceIp(IPAddress address) => Set(ConditionKeys.SourceIp, address.ToString());

    /// <summary>Sets both <c>nimbus:CurrentTime</c> (ISO 8601 UTC) and <c>nimbus:EpochTime</c> (seconds).</summary>
    public RequestContext SetCurrentTime(DateTimeOffset now)
    {
        Set(ConditionKeys.CurrentTime, now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return Set(ConditionKeys.EpochTime, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    }

    public RequestContext SetSecureTransport(bool secure) => Set(ConditionKeys.SecureTransport, secure ? "true" : "false");

    public RequestContext SetMultiFactorAuthPresent(bool present) => Set(ConditionKeys.MultiFactorAuthPresent, present ? "true" : "false");

    /// <summary>Sets the principal keys; <paramref name="userName"/> and <paramref name="userId"/> are omitted for roles, as in AWS.</summary>
    public RequestContext SetPrincipal(string principalNrn, string account, string? userName = null, string? userId = null)
    {
        Set(ConditionKeys.PrincipalNrn, principalNrn);
        Set(ConditionKeys.PrincipalAccount, account);
        if (userName is not null)
        {
            Set(ConditionKeys.UserName, userName);
        }

        return userId is null ? this : Set(ConditionKeys.UserId, userId);
    }

    public RequestContext SetPrincipalTags(IEnumerable<KeyValuePair<string, string>> tags) => SetTags(ConditionKeys.PrincipalTagPrefix, tags);

    public RequestContext SetResourceTags(IEnumerable<KeyValuePair<string, string>> tags) => SetTags(ConditionKeys.ResourceTagPrefix, tags);

    /// <summary>Tags the request asks to set; also sets <c>nimbus:TagKeys</c> to their keys.</summary>
    public RequestContext SetRequestTags(IEnumerable<KeyValuePair<string, string>> tags)
    {
        var list = tags.ToList();
        SetTags(ConditionKeys.RequestTagPrefix, list);
        return Set(ConditionKeys.TagKeys, list.Select(t => t.Key).ToArray());
    }

    /// <summary>Looks up a key already in <see cref="ConditionKeys.Normalize"/> form.</summary>
    public bool TryGetNormalized(string normalizedKey, out ContextValues values) => _values.TryGetValue(normalizedKey, out values!);

    public bool TryGet(string key, out string[] values)
    {
        var found = TryGetNormalized(ConditionKeys.Normalize(key), out var entry);
        values = found ? entry.Values : [];
        return found;
    }

    private RequestContext SetTags(string prefix, IEnumerable<KeyValuePair<string, string>> tags)
    {
        foreach (var (key, value) in tags)
        {
            Set(prefix + key, value);
        }

        return this;
    }
}
