using System.Globalization;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;

namespace Nimbus.Compute.Exec;

/// <summary>What an exec upgrade request asks for, read from its query (a WebSocket upgrade is a GET: no body).</summary>
public sealed record ExecRequest(IReadOnlyList<string> Command, bool Tty, bool Stdin, int Rows, int Columns)
{
    /// <summary>Reads and validates the query; every problem at once (<c>InvalidParameter</c>).</summary>
    public static ExecRequest Read(HttpRequest request)
    {
        var errors = new FieldErrors();
        var command = request.Query[ExecProtocol.CommandParameter].Select(a => a ?? "").ToList();
        if (command.Count == 0 || command[0].Length == 0)
        {
            errors.Add(ExecProtocol.CommandParameter, "give the program to run and its arguments, one command= parameter each (CLI: nimbus compute instance exec <id> -- <program> <args>)");
        }
        else if (command.Count > ExecProtocol.MaxArguments)
        {
            errors.Add(ExecProtocol.CommandParameter, $"at most {ExecProtocol.MaxArguments} arguments");
        }
        else if (command.Sum(a => a.Length) > ExecProtocol.MaxCommandLength)
        {
            errors.Add(ExecProtocol.CommandParameter, $"at most {ExecProtocol.MaxCommandLength} characters in all");
        }
        else if (command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add(ExecProtocol.CommandParameter, "must not contain NUL characters");
        }

        var tty = Flag(request, ExecProtocol.TtyParameter, errors);
        var stdin = Flag(request, ExecProtocol.StdinParameter, errors);
        var rows = Size(request, ExecProtocol.RowsParameter, errors);
        var columns = Size(request, ExecProtocol.ColumnsParameter, errors);
        if (!tty && (rows != 0 || columns != 0))
        {
            errors.Add(ExecProtocol.RowsParameter, "a terminal size needs tty=true");
        }

        errors.ThrowIfAny();
        return new ExecRequest(command, tty, stdin, rows, columns);
    }

    private static bool Flag(HttpRequest request, string name, FieldErrors errors)
    {
        var raw = request.Query[name].ToString();
        switch (raw)
        {
            case "" or "false":
                return false;
            case "true":
                return true;
            default:
                errors.Add(name, "must be true or false");
                return false;
        }
    }

    private static int Size(HttpRequest request, string name, FieldErrors errors)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return 0;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 10000)
        {
            errors.Add(name, "must be a whole number from 1 to 10000");
        }

        return value;
    }
}
