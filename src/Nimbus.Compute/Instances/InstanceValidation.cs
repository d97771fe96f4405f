using System.Text;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;

namespace Nimbus.Compute.Instances;

/// <summary>Checks of a run request that need no store: every problem is reported at once.</summary>
public static class InstanceValidation
{
    public const int MaxUserDataBytes = 16 * 1024;
    public const int MaxCount = 50;
    public const int MaxEnvironment = 100;
    public const int MaxEnvironmentValueLength = 4096;
    public const int MaxCommandArguments = 64;

    public static void Validate(FieldErrors errors, RunInstancesRequest request)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Image))
        {
            errors.Add("image", "is required: an image id or name, e.g. busybox");
        }

        if (string.IsNullOrEmpty(request.InstanceType))
        {
            errors.Add("instanceType", "is required, e.g. n1.micro");
        }

        var count = request.Count ?? 1;
        if (count is < 1 or > MaxCount)
        {
            errors.Add("count", $"must be from 1 to {MaxCount}");
        }

        if (request.Name is not null)
        {
            // Room for the "-N" suffix of batch names.
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.Length > CommonValidation.MaxNameLength - 3)
            {
                errors.Add("name", $"must be at most {CommonValidation.MaxNameLength - 3} characters");
            }

            if (request.Name.StartsWith(ComputeKinds.InstancePrefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'i-' (instance ids do)");
            }
        }

        if (request.Hostname is not null && !IsHostname(request.Hostname))
        {
            errors.Add("hostname", "must be 1 to 63 letters, digits and '-', not starting or ending with '-'");
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        foreach (var key in request.Tags?.Keys ?? [])
        {
            if (key.StartsWith("nimbus:", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"tags.{key}", "the 'nimbus:' prefix is reserved for the platform");
            }
        }

        if (request.UserData is not null)
        {
            var bytes = Encoding.UTF8.GetByteCount(request.UserData);
            if (bytes > MaxUserDataBytes)
            {
                errors.Add("userData", $"is {bytes} bytes; at most {MaxUserDataBytes} bytes (16 KiB) are allowed");
            }

            if (request.UserData.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add("userData", "must not contain NUL characters");
            }
        }

        ValidateEnvironment(errors, request.Environment);
        if (request.Command is { } command)
        {
            if (command.Count is 0 or > MaxCommandArguments || string.IsNullOrEmpty(command[0]))
            {
                errors.Add("command", $"must be 1 to {MaxCommandArguments} arguments, the first one not empty (omit it for the image's default command)");
            }
            else if (command.Any(a => a is null || a.Length > MaxEnvironmentValueLength || a.Contains('\0', StringComparison.Ordinal)))
            {
                errors.Add("command", $"arguments are at most {MaxEnvironmentValueLength} characters without NUL");
            }
        }

        if (request.RestartPolicy is not null && !InstanceStates.RestartPolicies.Contains(request.RestartPolicy))
        {
            errors.Add("restartPolicy", $"must be one of {string.Join(", ", InstanceStates.RestartPolicies)}");
        }

        if (request.MetadataTokens is not null and not ("optional" or "required"))
        {
            errors.Add("metadataTokens", "must be optional (IMDSv1 and v2) or required (IMDSv2 session tokens only)");
        }

        if (request.IamRole is { } role && (role.Length is 0 or > 2048 || role.Any(char.IsControl)))
        {
            errors.Add("iamRole", "must be a role name or NRN");
        }
    }

    /// <summary>RFC 1123 label: what <c>hostname</c> inside the instance accepts.</summary>
    public static bool IsHostname(string value) =>
        value.Length is >= 1 and <= 63
        && value[0] != '-' && value[^1] != '-'
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static void ValidateEnvironment(FieldErrors errors, IReadOnlyDictionary<string, string>? environment)
    {
        if (environment is null)
        {
            return;
        }

        if (environment.Count > MaxEnvironment)
        {
            errors.Add("environment", $"at most {MaxEnvironment} variables are allowed");
        }

        foreach (var (name, value) in environment)
        {
            if (name.Length is 0 or > 128 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                errors.Add($"environment.{name}", "names are 1 to 128 letters, digits and '_', not starting with a digit");
            }

            if (value is null || value.Length > MaxEnvironmentValueLength || value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"environment.{name}", $"values are at most {MaxEnvironmentValueLength} characters without NUL");
            }
        }
    }
}
