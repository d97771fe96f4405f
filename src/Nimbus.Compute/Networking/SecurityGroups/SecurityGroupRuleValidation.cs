using System.Globalization;
using System.Net;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Network.Addressing;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>Checks one rule as given and turns it into its stored form; every problem is reported at once.</summary>
public static class SecurityGroupRuleValidation
{
    public const string Ingress = SecurityGroupDirections.Ingress;
    public const string Egress = SecurityGroupDirections.Egress;
    public const string Accept = "accept";
    public const string Drop = "drop";
    public const int DefaultPriority = 1000;
    public const int MaxPriority = 32766;

    /// <summary>The priority of each group's own rule letting its members talk: after every rule a user can write.</summary>
    public const int MembersRulePriority = 32767;

    private static readonly string[] Protocols = ["tcp", "udp", "icmp", "all"];

    /// <summary>The rule to store (with a new id), or the errors of <paramref name="request"/> in <paramref name="errors"/>.</summary>
    public static SecurityGroupRule? Validate(FieldErrors errors, string direction, SecurityGroupRuleRequest? request, string ruleId)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (request is null)
        {
            errors.Add("body", "a rule is required: protocol, ports, cidr or groupId, priority, action");
            return null;
        }

        var protocol = request.Protocol?.ToLowerInvariant();
        if (protocol is null || !Protocols.Contains(protocol))
        {
            errors.Add("protocol", "must be tcp, udp, icmp or all");
        }

        int? from = null, to = null;
        if (protocol is "tcp" or "udp")
        {
            if (request.FromPort is null)
            {
                errors.Add("fromPort", $"is required for {protocol} (1-65535)");
            }
            else if (request.FromPort is < 1 or > 65535)
            {
                errors.Add("fromPort", "must be from 1 to 65535");
            }
            else
            {
                from = request.FromPort;
                to = request.ToPort ?? from;
                if (to < from || to > 65535)
                {
                    errors.Add("toPort", $"must be from fromPort ({from}) to 65535");
                }
            }
        }
        else if (protocol is not null && (request.FromPort is not null || request.ToPort is not null))
        {
            errors.Add("fromPort", $"ports are only for tcp and udp, not for {protocol}");
        }

        if ((request.Cidr is null) == (request.GroupId is null))
        {
            errors.Add("cidr", "give exactly one peer: cidr (e.g. 0.0.0.0/0) or groupId (sg-...)");
        }
        else if (request.Cidr is { } cidr && TryNormalizeCidr(cidr) is null)
        {
            errors.Add("cidr", $"'{cidr}' is not an IPv4 CIDR block such as 10.0.0.0/16 or 0.0.0.0/0 (host bits must be zero)");
        }

        var priority = request.Priority ?? DefaultPriority;
        if (priority is < 1 or > MaxPriority)
        {
            errors.Add("priority", $"must be from 1 to {MaxPriority} (lower first)");
        }

        var action = request.Action?.ToLowerInvariant() ?? Accept;
        if (action is not (Accept or Drop))
        {
            errors.Add("action", "must be accept or drop");
        }

        if (request.Description is { Length: > 255 })
        {
            errors.Add("description", "must be at most 255 characters");
        }

        return errors.Any ? null : new SecurityGroupRule
        {
            Id = ruleId,
            Direction = direction,
            Protocol = protocol!,
            FromPort = from,
            ToPort = to,
            Cidr = request.Cidr is null ? null : TryNormalizeCidr(request.Cidr),
            GroupId = request.GroupId,
            Priority = priority,
            Action = action,
            Description = request.Description,
        };
    }

    /// <summary>True when two rules match the same packets with the same verdict (ids and descriptions aside).</summary>
    public static bool SameAs(SecurityGroupRule a, SecurityGroupRule b) =>
        a.Direction == b.Direction && a.Protocol == b.Protocol && a.FromPort == b.FromPort && a.ToPort == b.ToPort
        && a.Cidr == b.Cidr && a.GroupId == b.GroupId && a.Priority == b.Priority && a.Action == b.Action;

    /// <summary>The block in canonical form (<c>a.b.c.d/n</c>), or null when it is not an IPv4 network address.</summary>
    public static string? TryNormalizeCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressPart, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || addressPart.Count(c => c == '.') != 3)
        {
            return null;
        }

        var prefix = 32;
        if (slash >= 0 && !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
        {
            return null;
        }

        if (prefix is < 0 or > 32)
        {
            return null;
        }

        var value = Ipv4Range.ToUInt32(address);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & ~mask) != 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{Ipv4Range.Format(value)}/{prefix}");
    }
}
