using System.Globalization;
using System.Text.Json;
using Nimbus.Core.Api;

namespace Nimbus.Server.Hosting;

/// <summary>Reads <see cref="NimbusServerOptions"/> from flags, environment and the data directory's config file.</summary>
public static class OptionsLoader
{
    public const string ConfigFileName = "nimbus.json";

    private static readonly Dictionary<string, string> FlagToSetting = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "dataDirectory",
        ["--api-port"] = "apiPort",
        ["--s3-port"] = "s3Port",
        ["--s3-domain"] = "s3Domain",
        ["--listen"] = "listen",
        ["--region"] = "region",
        ["--store"] = "store",
        ["--max-body-bytes"] = "maxBodyBytes",
        ["--rate-limit"] = "rateLimitPerSecond",
        ["--rate-limit-burst"] = "rateLimitBurst",
        ["--audit-retention-days"] = "auditRetentionDays",
        ["--log-format"] = "logFormat",
        ["--log-level"] = "logLevel",
        ["--console-log-max-bytes"] = "consoleLogMaxBytes",
        ["--cpu-overcommit-ratio"] = "cpuOvercommitRatio",
        ["--network-cidr"] = "networkCidr",
        ["--network-bridge"] = "networkBridge",
        ["--eip-pool"] = "eipPool",
        ["--eip-device"] = "eipDevice",
    };

    /// <summary>Parses; throws <see cref="ArgumentException"/> with a user-facing message on bad input.</summary>
    public static NimbusServerOptions Load(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string flag = arg, value;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                flag = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                if (!FlagToSetting.ContainsKey(flag))
                {
                    throw new ArgumentException($"unknown option '{arg}'. Options: {string.Join(", ", FlagToSetting.Keys)}");
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"option '{flag}' needs a value");
                }

                value = args[++i];
            }

            if (!FlagToSetting.TryGetValue(flag, out var setting))
            {
                throw new ArgumentException($"unknown option '{flag}'. Options: {string.Join(", ", FlagToSetting.Keys)}");
            }

            settings[setting] = value;
        }

        foreach (var setting in FlagToSetting.Values)
        {
            var name = "NIMBUS_" + EnvName(setting);
            if (!settings.ContainsKey(setting) && environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                settings[setting] = value;
            }
        }

        var dataDirectory = Path.GetFullPath(settings.GetValueOrDefault("dataDirectory") ?? ".nimbus");
        var configPath = Path.Combine(dataDirectory, ConfigFileName);
        if (File.Exists(configPath))
        {
            Dictionary<string, JsonElement>? file;
            try
            {
                file = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(configPath));
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"{configPath} is not valid JSON: {ex.Message}");
            }

            foreach (var (key, value) in file ?? [])
            {
                if (!FlagToSetting.ContainsValue(key) || key == "dataDirectory")
                {
                    throw new ArgumentException($"{configPath}: unknown setting '{key}'. Settings: {string.Join(", ", FlagToSetting.Values.Where(v => v != "dataDirectory"))}");
                }

                settings.TryAdd(key, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
            }
        }

        var defaults = new NimbusServerOptions();
        var options = new NimbusServerOptions
        {
            DataDirectory = dataDirectory,
            ApiPort = Int(settings, "apiPort", defaults.ApiPort, 0, 65535),
            S3Port = Int(settings, "s3Port", defaults.S3Port, 0, 65535),
            S3Domain = (settings.GetValueOrDefault("s3Domain") ?? defaults.S3Domain).TrimEnd('.').ToLowerInvariant(),
            Listen = settings.GetValueOrDefault("listen") ?? defaults.Listen,
            Region = settings.GetValueOrDefault("region") ?? defaults.Region,
            Store = settings.GetValueOrDefault("store") ?? defaults.Store,
            MaxBodyBytes = Int(settings, "maxBodyBytes", (int)defaults.MaxBodyBytes, 1024, int.MaxValue),
            RateLimitPerSecond = Int(settings, "rateLimitPerSecond", defaults.RateLimitPerSecond, 1, 10_000_000),
            RateLimitBurst = Int(settings, "rateLimitBurst", defaults.RateLimitBurst, 1, 10_000_000),
            AuditRetentionDays = Int(settings, "auditRetentionDays", defaults.AuditRetentionDays, 1, 100 * 365),
            LogFormat = settings.GetValueOrDefault("logFormat") ?? defaults.LogFormat,
            LogLevel = settings.GetValueOrDefault("logLevel") ?? defaults.LogLevel,
            ComputeCpuOvercommitRatio = settings.TryGetValue("cpuOvercommitRatio", out var ratio) ? Ratio(ratio) : defaults.ComputeCpuOvercommitRatio,
            ComputeConsoleLogMaxBytes = settings.ContainsKey("consoleLogMaxBytes") ? Int(settings, "consoleLogMaxBytes", 0, 0, int.MaxValue) : defaults.ComputeConsoleLogMaxBytes,
            NetworkCidr = settings.GetValueOrDefault("networkCidr") ?? defaults.NetworkCidr,
            NetworkBridge = settings.GetValueOrDefault("networkBridge") ?? defaults.NetworkBridge,
            NetworkEipPool = settings.GetValueOrDefault("eipPool") ?? defaults.NetworkEipPool,
            NetworkEipDevice = settings.GetValueOrDefault("eipDevice") ?? defaults.NetworkEipDevice,
        };

        if (Nimbus.Compute.Networking.ElasticIps.HostRange.TryParse(options.NetworkEipPool, out var poolError) is null)
        {
            throw new ArgumentException($"--eip-pool '{options.NetworkEipPool}' {poolError}");
        }

        if (options.NetworkEipDevice.Length is 0 or > 15 || options.NetworkEipDevice.Any(c => c is '/' or ' ' or '"' or '\'' || char.IsControl(c)))
        {
            throw new ArgumentException($"--eip-device '{options.NetworkEipDevice}' is not an interface name (1 to 15 characters, no '/', spaces or quotes)");
        }

        if (options.ComputeConsoleLogMaxBytes is > 0 and < 4096)
        {
            throw new ArgumentException("--console-log-max-bytes must be 0 (no cap) or at least 4096");
        }

        if (Nimbus.Network.Addressing.Ipv4Range.TryParse(options.NetworkCidr, out var cidrError) is null)
        {
            throw new ArgumentException($"--network-cidr '{options.NetworkCidr}' {cidrError}");
        }

        if (options.NetworkBridge.Length is 0 or > 15 || !options.NetworkBridge.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"--network-bridge '{options.NetworkBridge}' must be 1 to 15 lower-case letters, digits, '-' and '_'");
        }

        if (!System.Net.IPAddress.TryParse(options.Listen, out _) && options.Listen != "localhost")
        {
            throw new ArgumentException($"listen address '{options.Listen}' is not an IP address");
        }

        if (options.S3Port != 0 && options.S3Port == options.ApiPort)
        {
            throw new ArgumentException($"--s3-port must differ from --api-port (both are {options.S3Port})");
        }

        if (options.S3Domain.Length is 0 or > 200 || !options.S3Domain.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            throw new ArgumentException($"--s3-domain '{options.S3Domain}' is not a DNS name");
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            throw new ArgumentException("log format must be 'text' or 'json'");
        }

        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(options.LogLevel, ignoreCase: true, out _))
        {
            throw new ArgumentException($"log level '{options.LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical, None");
        }

        CommonValidation.Name(new FieldErrors(), "region", options.Region);
        return options;
    }

    private static string EnvName(string setting) => setting switch
    {
        "dataDirectory" => "DATA_DIR",
        "s3Port" => "S3_PORT",
        "s3Domain" => "S3_DOMAIN",
        _ => string.Concat(setting.Select(c => char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString())),
    };

    private static double Ratio(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 0.1 and <= 1000
            ? value
            : throw new ArgumentException($"--cpu-overcommit-ratio '{text}' must be a number from 0.1 to 1000");

    private static int Int(Dictionary<string, string> settings, string key, int fallback, int min, int max)
    {
        if (!settings.TryGetValue(key, out var raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            var flag = FlagToSetting.First(p => p.Value == key).Key;
            throw new ArgumentException($"{flag} must be a whole number from {min} to {max}, not '{raw}'");
        }

        return value;
    }
}
