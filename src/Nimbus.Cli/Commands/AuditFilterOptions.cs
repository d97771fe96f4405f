using System.CommandLine;
using Nimbus.Contracts.Audit;
using Nimbus.Sdk.Audit;

namespace Nimbus.Cli.Commands;

/// <summary>The filter options list and export share.</summary>
internal sealed class AuditFilterOptions
{
    private readonly Option<string?> _since = new("--since") { Description = "Earliest time: ISO-8601 or relative (30m, 1h, 7d)", HelpName = "time" };
    private readonly Option<string?> _until = new("--until") { Description = "Latest time (exclusive): ISO-8601 or relative", HelpName = "time" };
    private readonly Option<string?> _principal = new("--principal") { Description = "User name or principal NRN", HelpName = "name|nrn" };
    private readonly Option<string?> _action = new("--action") { Description = "Action, with an optional trailing * (e.g. 'iam:*')", HelpName = "action" };
    private readonly Option<string?> _resource = new("--resource") { Description = "NRN the request acted on", HelpName = "nrn" };
    private readonly Option<string?> _outcome = new("--outcome") { Description = "allowed, denied or error", HelpName = "outcome" };

    public AuditFilterOptions()
    {
        _outcome.AcceptOnlyFromAmong(AuditOutcomes.Allowed, AuditOutcomes.Denied, AuditOutcomes.Error);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_since);
        command.Options.Add(_until);
        command.Options.Add(_principal);
        command.Options.Add(_action);
        command.Options.Add(_resource);
        command.Options.Add(_outcome);
    }

    public AuditEventFilter Read(ParseResult parseResult) => new()
    {
        Since = parseResult.GetValue(_since),
        Until = parseResult.GetValue(_until),
        Principal = parseResult.GetValue(_principal),
        Action = parseResult.GetValue(_action),
        Resource = parseResult.GetValue(_resource),
        Outcome = parseResult.GetValue(_outcome),
    };
}
