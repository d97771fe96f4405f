using System.CommandLine;
using System.CommandLine.Parsing;

namespace Nimbus.Cli.Commands;

/// <summary>Options and arguments several commands share, with their validation (bad values are usage errors, exit 2).</summary>
internal static class CommonOptions
{
    public const int DefaultWaitSeconds = 120;

    public static Argument<string> Id(string what) => new("id") { Description = what };

    public static Option<string[]> Tags(string description)
    {
        var option = new Option<string[]>("--tag")
        {
            Description = description,
            HelpName = "key=value",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(ValidateTags);
        return option;
    }

    public static Option<int?> PageSize() => Positive(new Option<int?>("--page-size")
    {
        Description = "Items per page (default chosen by the server)",
        HelpName = "count",
    });

    public static Option<string?> NextToken() => new("--next-token")
    {
        Description = "Read the page after the one that returned this token",
        HelpName = "token",
    };

    public static Option<bool> All() => new("--all") { Description = "Read every page, not just the first" };

    public static Option<bool> Wait(string until) => new("--wait") { Description = $"Wait until {until}" };

    public static Option<int> Timeout() => Positive(new Option<int>("--timeout")
    {
        Description = "Seconds --wait waits at most",
        HelpName = "seconds",
        DefaultValueFactory = _ => DefaultWaitSeconds,
    });

    public static Dictionary<string, string>? ParseTags(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            tags[value[..equals]] = value[(equals + 1)..];
        }

        return tags;
    }

    private static void ValidateTags(OptionResult result)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in result.Tokens)
        {
            var equals = token.Value.IndexOf('=');
            if (equals <= 0)
            {
                result.AddError($"Tag '{token.Value}' must be key=value with a non-empty key.");
            }
            else if (!keys.Add(token.Value[..equals]))
            {
                result.AddError($"Tag key '{token.Value[..equals]}' is given twice.");
            }
        }
    }

    internal static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!int.TryParse(token.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number <= 0)
                {
                    result.AddError($"{option.Name} must be a positive whole number, not '{token.Value}'.");
                }
            }
        });
        return option;
    }
}
