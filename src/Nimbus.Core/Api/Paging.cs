using Microsoft.AspNetCore.Http;

namespace Nimbus.Core.Api;

/// <summary>Reads the list conventions of docs/api.md: <c>pageSize</c> (default 50, 1 to 1000) and <c>nextToken</c>.</summary>
public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    // Tokens are base64url; anything else was not issued by us.
    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=");

    public static (int PageSize, string? NextToken) Read(HttpRequest request)
    {
        var errors = new FieldErrors();
        var pageSize = DefaultPageSize;
        var raw = request.Query["pageSize"].ToString();
        if (raw.Length > 0 && (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
        {
            errors.Add("pageSize", $"must be a whole number from 1 to {MaxPageSize}");
        }

        var token = request.Query["nextToken"].ToString();
        if (token.Length > 512 || token.AsSpan().IndexOfAnyExcept(TokenChars) >= 0)
        {
            errors.Add("nextToken", "is not a token this service issued");
        }

        errors.ThrowIfAny();
        return (pageSize, token.Length == 0 ? null : token);
    }

    /// <summary>Parses repeated <c>tag=key=value</c> query parameters.</summary>
    public static IReadOnlyDictionary<string, string> ReadTagFilter(HttpRequest request)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new FieldErrors();
        foreach (var pair in request.Query["tag"])
        {
            var eq = pair?.IndexOf('=') ?? -1;
            if (pair is null || eq <= 0)
            {
                errors.Add("tag", "must be key=value");
                continue;
            }

            tags[pair[..eq]] = pair[(eq + 1)..];
        }

        errors.ThrowIfAny();
        return tags;
    }
}
