using System.Buffers;
using Nimbus.Core.Api;

namespace Nimbus.Iam.Principals;

/// <summary>IAM's naming rules (AWS's): names of <c>[A-Za-z0-9+=,.@_-]</c>, paths <c>/.../</c>.</summary>
public static class IamValidation
{
    private static readonly SearchValues<char> NameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-");
    private static readonly SearchValues<char> PathChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/");

    public static void Name(FieldErrors errors, string field, string? name, int maxLength)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(field, "is required");
        }
        else if (name.Length > maxLength)
        {
            errors.Add(field, $"must be at most {maxLength} characters");
        }
        else if (name.AsSpan().IndexOfAnyExcept(NameChars) >= 0)
        {
            errors.Add(field, "may contain only letters, digits and + = , . @ _ -");
        }
    }

    public static void Path(FieldErrors errors, string field, string? path)
    {
        if (path is null)
        {
            return;
        }

        if (path.Length is 0 or > 512 || path[0] != '/' || path[^1] != '/' || path.Contains("//", StringComparison.Ordinal)
            || path.AsSpan().IndexOfAnyExcept(PathChars) >= 0)
        {
            errors.Add(field, "must start and end with '/', e.g. /engineering/, with letters, digits and + = , . @ _ - between");
        }
    }

    public static void Tags(FieldErrors errors, IReadOnlyDictionary<string, string>? tags)
    {
        CommonValidation.Tags(errors, "tags", tags);
        foreach (var key in tags?.Keys ?? [])
        {
            if (key.StartsWith("nimbus:", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"tags.{key}", "the 'nimbus:' prefix is reserved for the platform");
            }
        }
    }
}
