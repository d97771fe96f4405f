using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network security-group create|list|get|delete|authorize-ingress|revoke-ingress|authorize-egress|revoke-egress</c>.</summary>
internal static class SecurityGroupCommands
{
    public static Command Create(CliContext context) =>
        new("security-group", "Security groups: stateful ingress and egress rules of instances' interfaces")
        {
            CreateGroup(context),
            List(context),
            Get(context),
            Delete(context),
            Authorize(context, SecurityGroupDirections.Ingress),
            Revoke(context, SecurityGroupDirections.Ingress),
            Authorize(context, SecurityGroupDirections.Egress),
            Revoke(context, SecurityGroupDirections.Egress),
        };

    private static Argument<string> Group() => new("group") { Description = "Security group id (sg-...) or name (default: the account's default group)" };

    private static Command CreateGroup(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Name, unique among your groups" };
        var description = new Option<string?>("--description") { Description = "Free text", HelpName = "text" };
        var vpc = new Option<string?>("--vpc") { Description = "The VPC (default: the default network)", HelpName = "id" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a group: ingress denied, egress allowed, members talk to each other") { name, description, vpc, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateSecurityGroupRequest
            {
                Name = parseResult.GetValue(name),
                Description = parseResult.GetValue(description),
                VpcId = parseResult.GetValue(vpc),
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
            };
            output.Write(await client.Network.SecurityGroups.CreateAsync(request, cancellationToken).ConfigureAwait(false), SecurityGroupView.Rules);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the group of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your security groups") { name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.SecurityGroups.ListAsync(parseResult.GetValue(name), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, SecurityGroupView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var group = Group();
        var command = new Command("get", "Show a group's rules in the order the filter applies them") { group };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.SecurityGroups.GetAsync(parseResult.GetValue(group)!, cancellationToken).ConfigureAwait(false), SecurityGroupView.Rules));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var group = Group();
        var command = new Command("delete", "Delete a group (refused while instances or other groups' rules use it)") { group };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(group)!;
            await client.Network.SecurityGroups.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted security group {reference}.");
        });
        return command;
    }

    private static Command Authorize(CliContext context, string direction)
    {
        var group = Group();
        var (protocol, port, cidr, peerGroup) = RuleOptions(direction);
        var priority = new Option<int?>("--priority") { Description = "1 to 32766, lower first (default 1000); at equal priority drop wins", HelpName = "N" };
        var action = new Option<string?>("--action") { Description = "accept (default) or drop", HelpName = "action" };
        var description = new Option<string?>("--description") { Description = "Free text", HelpName = "text" };
        var command = new Command("authorize-" + direction, $"Add an {direction} rule; running members follow at once")
        {
            group, protocol, port, cidr, peerGroup, priority, action, description,
        };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var (from, to) = ParsePorts(parseResult.GetValue(port));
            var rule = new SecurityGroupRuleRequest
            {
                Protocol = parseResult.GetValue(protocol),
                FromPort = from,
                ToPort = to,
                Cidr = parseResult.GetValue(cidr),
                GroupId = parseResult.GetValue(peerGroup),
                Priority = parseResult.GetValue(priority),
                Action = parseResult.GetValue(action),
                Description = parseResult.GetValue(description),
            };
            output.Write(await client.Network.SecurityGroups.AuthorizeAsync(parseResult.GetValue(group)!, direction, rule, cancellationToken).ConfigureAwait(false), SecurityGroupView.Rules);
        });
        return command;
    }

    private static Command Revoke(CliContext context, string direction)
    {
        var group = Group();
        var ruleId = new Option<string?>("--rule") { Description = "The rule's id (sgr-..., see: get); or give the rule as authorized", HelpName = "id" };
        var (protocol, port, cidr, peerGroup) = RuleOptions(direction);
        var priority = new Option<int?>("--priority") { Description = "The rule's priority (default 1000)", HelpName = "N" };
        var action = new Option<string?>("--action") { Description = "The rule's action (default accept)", HelpName = "action" };
        var command = new Command("revoke-" + direction, $"Remove an {direction} rule, by id or as it was authorized; new connections follow at once, established ones are left alone")
        {
            group, ruleId, protocol, port, cidr, peerGroup, priority, action,
        };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var groups = client.Network.SecurityGroups;
            var reference = parseResult.GetValue(group)!;
            var id = parseResult.GetValue(ruleId);
            if (id is null)
            {
                if (parseResult.GetValue(protocol) is not { } given)
                {
                    throw new CliUsageException("Give --rule ID, or the rule as it was authorized (--protocol and its ports and peer).");
                }

                var (from, to) = ParsePorts(parseResult.GetValue(port));
                var current = SecurityGroupsClient.SpecOf(await groups.GetAsync(reference, cancellationToken).ConfigureAwait(false));
                var peer = parseResult.GetValue(peerGroup);
                var block = parseResult.GetValue(cidr);
                var matches = current.Rules.Where(r =>
                    r.Direction == direction && string.Equals(r.Protocol, given, StringComparison.OrdinalIgnoreCase) && r.FromPort == from && r.ToPort == (to ?? from)
                    && (peer is null || r.GroupId == peer) && (block is null || r.Cidr == block)
                    && r.Priority == (parseResult.GetValue(priority) ?? 1000) && r.Action == (parseResult.GetValue(action) ?? "accept")).ToList();
                id = matches.Count switch
                {
                    1 => matches[0].Id,
                    0 => throw new CliUsageException($"Security group {reference} has no such {direction} rule; see: nimbus network security-group get {reference}"),
                    _ => throw new CliUsageException($"Several {direction} rules match; give --rule with one of {string.Join(", ", matches.Select(m => m.Id))}"),
                };
            }

            output.Write(await groups.RevokeAsync(reference, direction, id, cancellationToken).ConfigureAwait(false), SecurityGroupView.Rules);
        });
        return command;
    }

    private static (Option<string?> Protocol, Option<string?> Port, Option<string?> Cidr, Option<string?> Group) RuleOptions(string direction)
    {
        var peer = direction == SecurityGroupDirections.Ingress ? "source" : "destination";
        return (
            new Option<string?>("--protocol") { Description = "tcp, udp, icmp or all", HelpName = "protocol" },
            new Option<string?>("--port") { Description = "Port or range for tcp and udp, e.g. 80 or 8000-8080", HelpName = "port[-port]" },
            new Option<string?>("--cidr") { Description = $"The {peer} as an IPv4 block, e.g. 0.0.0.0/0", HelpName = "cidr" },
            new Option<string?>(direction == SecurityGroupDirections.Ingress ? "--source-group" : "--destination-group") { Description = $"The {peer} as a security group (sg-...): its members", HelpName = "id" });
    }

    private static (int? From, int? To) ParsePorts(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var fromText = dash < 0 ? text : text[..dash];
        var toText = dash < 0 ? null : text[(dash + 1)..];
        if (!int.TryParse(fromText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from)
            || (toText is not null && !int.TryParse(toText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            throw new CliUsageException($"--port {text} is not a port or a range such as 8000-8080.");
        }

        return (from, toText is null ? null : int.Parse(toText, System.Globalization.CultureInfo.InvariantCulture));
    }
}
