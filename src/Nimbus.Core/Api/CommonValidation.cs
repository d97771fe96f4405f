using System.Buffers;

namespace Nimbus.Core.Api;

/// <summary>Validation rules shared by every service: names and tags.</summary>
public static class CommonValidation
{
    public const int MaxNameLength = 128;
    public const int MaxTags = 50;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;

    private static readonly SearchValues<char> NameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    public static void Name(FieldErrors errors, string field, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(field, "is required");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(field, $"must be at most {MaxNameLength} characters");
        }
        else if (name.AsSpan().IndexOfAnyExcept(NameChars) >= 0)
        {
            errors.Add(field, "may contain only letters, digits, '.', '_' and '-'");
        }
    }

    public static void Tags(FieldErrors errors, string field, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        if (tags.Count > MaxTags)
        {
            errors.Add(field, $"at most {MaxTags} tags are allowed");
        }

        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxTagKeyLength || key.Any(char.IsControl))
            {
                errors.Add($"{field}.{key}", $"tag keys must be 1 to {MaxTagKeyLength} printable characters");
            }

            if (value is null || value.Length > MaxTagValueLength || value.Any(char.IsControl))
            {
                errors.Add($"{field}.{key}", $"tag values must be at most {MaxTagValueLength} printable characters");
            }
        }
    }
}
