using System.CommandLine;
using System.Text;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus compute instance run|list|get|stop|start|reboot|terminate|modify|console|exec|stats</c>.</summary>
internal static class InstanceCommands
{
    private const int MaxUserDataBytes = 16 * 1024;

    public static Command Create(CliContext context) =>
        new("instance", "Instances: each one a container with its own namespaces, cgroup limits and disk")
        {
            Run(context),
            List(context),
            Get(context),
            Change(context, "stop", "Stop an instance: SIGTERM, SIGKILL after the grace period; its disk is kept", InstancesClient.StoppedPhase, force: true),
            Change(context, "start", "Start a stopped or failed instance", InstancesClient.RunningPhase, force: false),
            Change(context, "reboot", "Reboot a running instance (user data does not run again)", InstancesClient.RunningPhase, force: false),
            Change(context, "terminate", "Terminate an instance: it stops and everything it had on its node is removed", InstancesClient.TerminatedPhase, force: false),
            Modify(context),
            SetSecurityGroups(context),
            Console(context),
            ExecCommand.Create(context),
            Stats(context),
        };

    private static Command Run(CliContext context)
    {
        var image = new Option<string>("--image") { Description = "Image id or name, e.g. busybox", HelpName = "image", Required = true };
        var type = new Option<string>("--type") { Description = "Instance type, e.g. n1.micro (see: nimbus compute instance-type list)", HelpName = "type", Required = true };
        var name = new Option<string?>("--name") { Description = "Name, unique among your instances; with --count N they are <name>-1..N (default: the id)", HelpName = "name" };
        var hostname = new Option<string?>("--hostname") { Description = "Host name inside the instance (default: the name)", HelpName = "hostname" };
        var userDataFile = new Option<FileInfo?>("--user-data-file") { Description = "Script run once at first boot (at most 16 KiB; without #! it runs with /bin/sh)", HelpName = "path" };
        var count = new Option<int?>("--count") { Description = "How many instances, 1 to 50 (default 1); all or none are created", HelpName = "N" };
        var protection = new Option<bool>("--deletion-protection") { Description = "Refuse terminate until protection is turned off" };
        var env = new Option<string[]>("--env") { Description = "Environment variable NAME=value of the instance's processes; repeat for several", HelpName = "NAME=value" };
        var restart = new Option<string?>("--restart-policy") { Description = "on-failure (default), always or never: what happens when the workload stops by itself", HelpName = "policy" };
        var role = new Option<string?>("--iam-role") { Description = "IAM role (name or NRN) whose temporary credentials the metadata service gives the instance; needs iam:PassRole on it", HelpName = "role" };
        var metadataTokens = new Option<string?>("--metadata-tokens") { Description = "optional (default: IMDSv1 and IMDSv2) or required (IMDSv2 session tokens only)", HelpName = "mode" };
        var groups = SecurityGroupsOption("Security group (id or name) of the instance's interface; repeat for up to 5 (default: the default group)");
        var subnet = new Option<string?>("--subnet") { Description = "Subnet (subnet-...) of the instance's interface (default: the default VPC's default subnet)", HelpName = "id" };
        var privateIp = new Option<string?>("--private-ip") { Description = "Private IPv4 address in the subnet (one instance only; default: the next free one)", HelpName = "address" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var wait = CommonOptions.Wait("every instance is running (exit code 1 if one fails)");
        var timeout = CommonOptions.Timeout();
        var workload = new Argument<string[]>("command") { Description = "The workload instead of the image's default command, after --: ... -- httpd -f -p 80", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("run", "Run instances from an image") { image, type, name, hostname, userDataFile, count, protection, env, restart, role, metadataTokens, groups, subnet, privateIp, tags, wait, timeout, workload };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            string? userData = null;
            if (parseResult.GetValue(userDataFile) is { } file)
            {
                if (!file.Exists)
                {
                    throw new CliUsageException($"--user-data-file {file.FullName} does not exist.");
                }

                if (file.Length > MaxUserDataBytes)
                {
                    throw new CliUsageException($"--user-data-file {file.FullName} is {file.Length} bytes; user data is at most 16 KiB.");
                }

                userData = await File.ReadAllTextAsync(file.FullName, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            }

            var request = new RunInstancesRequest
            {
                Image = parseResult.GetValue(image),
                InstanceType = parseResult.GetValue(type),
                Name = parseResult.GetValue(name),
                Hostname = parseResult.GetValue(hostname),
                UserData = userData,
                Count = parseResult.GetValue(count),
                DeletionProtection = parseResult.GetValue(protection) ? true : null,
                Environment = ParseEnvironment(parseResult.GetValue(env)),
                RestartPolicy = parseResult.GetValue(restart),
                IamRole = parseResult.GetValue(role),
                MetadataTokens = parseResult.GetValue(metadataTokens),
                Command = parseResult.GetValue(workload) is { Length: > 0 } argv ? argv : null,
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
                SecurityGroupIds = parseResult.GetValue(groups) is { Length: > 0 } ids ? ids : null,
                SubnetId = parseResult.GetValue(subnet),
                PrivateIpAddress = parseResult.GetValue(privateIp),
            };
            var ran = await client.Compute.Instances.RunWithWarningsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var warning in ran.Warnings ?? [])
            {
                await context.Stderr.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
            }

            var instances = ran.Instances;
            if (parseResult.GetValue(wait))
            {
                var settled = new List<ResourceDto>();
                foreach (var instance in instances)
                {
                    settled.Add(await WaitAsync(context, client, instance, InstancesClient.RunningPhase, parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false));
                }

                instances = settled;
            }

            output.Write(instances, ComputeViews.Instances);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the instance of this name", HelpName = "name" };
        var tags = CommonOptions.Tags("Only instances with this tag; repeat to require several");
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var all = CommonOptions.All();
        var command = new Command("list", "List instances") { name, tags, pageSize, nextToken, all };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var instances = client.Compute.Instances;
            var tagFilter = CommonOptions.ParseTags(parseResult.GetValue(tags));
            PageDto<ResourceDto> page;
            if (parseResult.GetValue(all))
            {
                var items = new List<ResourceDto>();
                await foreach (var instance in instances.ListAllAsync(parseResult.GetValue(name), tagFilter, cancellationToken).ConfigureAwait(false))
                {
                    items.Add(instance);
                }

                page = ComputeCommands.AllItems(items);
            }
            else
            {
                page = await instances.ListAsync(parseResult.GetValue(name), tagFilter, parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            }

            output.Write(page, ComputeViews.InstancePage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = CommonOptions.Id("Instance id, e.g. i-7f3k2m9q0c1d");
        var command = new Command("get", "Show one instance") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Instances.GetAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), ComputeViews.Instance));
        return command;
    }

    private static Command Change(CliContext context, string verb, string description, string settledPhase, bool force)
    {
        var id = CommonOptions.Id("Instance id");
        var forceOption = new Option<bool>("--force") { Description = "SIGKILL at once instead of SIGTERM and the grace period" };
        var wait = CommonOptions.Wait($"the instance is {settledPhase} (exit code 1 if it fails)");
        var timeout = CommonOptions.Timeout();
        var command = new Command(verb, description) { id, wait, timeout };
        if (force)
        {
            command.Options.Add(forceOption);
        }

        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var instances = client.Compute.Instances;
            var instanceId = parseResult.GetValue(id)!;
            var changed = verb switch
            {
                "stop" => await instances.StopAsync(instanceId, parseResult.GetValue(forceOption), cancellationToken).ConfigureAwait(false),
                "start" => await instances.StartAsync(instanceId, cancellationToken).ConfigureAwait(false),
                "reboot" => await instances.RebootAsync(instanceId, cancellationToken).ConfigureAwait(false),
                _ => await instances.TerminateAsync(instanceId, cancellationToken).ConfigureAwait(false),
            };
            if (parseResult.GetValue(wait))
            {
                changed = await WaitAsync(context, client, changed, settledPhase, parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false);
            }

            output.Write(changed, ComputeViews.Instance);
        });
        return command;
    }

    private static Option<string[]> SecurityGroupsOption(string description) =>
        new("--security-group") { Description = description, HelpName = "group", AllowMultipleArgumentsPerToken = false };

    private static Command SetSecurityGroups(CliContext context)
    {
        var id = CommonOptions.Id("Instance id");
        var groups = SecurityGroupsOption("Security group (id or name); repeat for up to 5. Replaces the instance's groups");
        var command = new Command("set-security-groups", "Replace an instance's security groups, also while it runs (its traffic follows at once)") { id, groups };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            if (parseResult.GetValue(groups) is not { Length: > 0 } ids)
            {
                throw new CliUsageException("Give at least one --security-group.");
            }

            output.Write(await client.Network.SecurityGroups.SetInstanceGroupsAsync(parseResult.GetValue(id)!, ids, cancellationToken).ConfigureAwait(false), ComputeViews.Instance);
        });
        return command;
    }

    private static Command Modify(CliContext context)
    {
        var id = CommonOptions.Id("Instance id");
        var type = new Option<string?>("--type") { Description = "New instance type (the instance must be stopped)", HelpName = "type" };
        var protect = new Option<bool>("--deletion-protection") { Description = "Turn deletion protection on" };
        var unprotect = new Option<bool>("--no-deletion-protection") { Description = "Turn deletion protection off" };
        var command = new Command("modify", "Change an instance's type (while stopped) or deletion protection") { id, type, protect, unprotect };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            if (parseResult.GetValue(protect) && parseResult.GetValue(unprotect))
            {
                throw new CliUsageException("Give --deletion-protection or --no-deletion-protection, not both.");
            }

            bool? protection = parseResult.GetValue(protect) ? true : parseResult.GetValue(unprotect) ? false : null;
            if (parseResult.GetValue(type) is null && protection is null)
            {
                throw new CliUsageException("Nothing to modify: give --type, --deletion-protection or --no-deletion-protection.");
            }

            var request = new ModifyInstanceRequest { InstanceType = parseResult.GetValue(type), DeletionProtection = protection };
            output.Write(await client.Compute.Instances.ModifyAsync(parseResult.GetValue(id)!, request, cancellationToken).ConfigureAwait(false), ComputeViews.Instance);
        });
        return command;
    }

    private static Command Console(CliContext context)
    {
        var id = CommonOptions.Id("Instance id");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until Ctrl-C (or the instance is terminated)" };
        var tail = new Option<int?>("--tail") { Description = "Start this many bytes before the end (default: from the beginning)", HelpName = "bytes" };
        var command = new Command("console", "Print the console output (stdout and stderr) of an instance") { id, follow, tail };
        context.SetApiAction(command, async (parseResult, client, _, cancellationToken) =>
        {
            var instances = client.Compute.Instances;
            var instanceId = parseResult.GetValue(id)!;
            long offset = parseResult.GetValue(tail) is { } bytes ? -Math.Abs((long)bytes) : 0;
            while (true)
            {
                var chunk = await instances.GetConsoleOutputAsync(instanceId, offset, cancellationToken: cancellationToken).ConfigureAwait(false);
                await context.Stdout.WriteAsync(chunk.Output.AsMemory(), cancellationToken).ConfigureAwait(false);
                await context.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                offset = chunk.NextOffset;
                if (chunk.NextOffset < chunk.Size)
                {
                    continue;
                }

                if (!parseResult.GetValue(follow))
                {
                    return;
                }

                var instance = await instances.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
                if (instance.Status.Phase == InstancesClient.TerminatedPhase)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static Command Stats(CliContext context)
    {
        var id = CommonOptions.Id("Instance id");
        var command = new Command("stats", "Show the counters of a running instance: CPU, memory, processes, block I/O, network") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Instances.GetStatsAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), ComputeViews.Stats));
        return command;
    }

    private static async Task<ResourceDto> WaitAsync(CliContext context, NimbusClient client, ResourceDto instance, string phase, int timeoutSeconds, CancellationToken cancellationToken)
    {
        context.Stderr.WriteLine($"waiting for {instance.Id} to be {phase}...");
        return await client.Compute.Instances.WaitForPhaseAsync(instance.Id, phase, TimeSpan.FromSeconds(timeoutSeconds), instance.Version, cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, string>? ParseEnvironment(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--env '{value}' must be NAME=value.");
            }

            environment[value[..equals]] = value[(equals + 1)..];
        }

        return environment;
    }
}
