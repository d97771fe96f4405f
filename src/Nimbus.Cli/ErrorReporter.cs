using Nimbus.Sdk;

namespace Nimbus.Cli;

/// <summary>Prints a failure as <c>error: Code: message</c> on stderr and chooses the exit code.</summary>
internal static class ErrorReporter
{
    public static int Report(Exception exception, TextWriter stderr)
    {
        switch (exception)
        {
            case NimbusApiException api:
                stderr.WriteLine($"error: {api.Code}: {api.Message}");
                foreach (var field in api.Errors)
                {
                    stderr.WriteLine($"  {field.Field}: {field.Message}");
                }

                if (api.RequestId is not null)
                {
                    stderr.WriteLine($"request id: {api.RequestId}");
                }

                return ExitCodes.ApiError;

            case NimbusConnectionException connection:
                stderr.WriteLine($"error: {connection.Code}: cannot connect to {connection.Endpoint}: {InnermostMessage(connection)}");
                stderr.WriteLine("hint: is Nimbus running? Start it with `./nimbus up`, or point --endpoint / NIMBUS_ENDPOINT at a running server.");
                return ExitCodes.CannotConnect;

            case NimbusWaitException wait:
                stderr.WriteLine($"error: {wait.Code}: {wait.Message}");
                return ExitCodes.ApiError;

            case NimbusConfigurationException configuration:
                stderr.WriteLine($"error: {configuration.Code}: {configuration.Message}");
                return ExitCodes.UsageError;

            case CliUsageException usage:
                stderr.WriteLine($"error: {usage.Message}");
                return ExitCodes.UsageError;

            case IOException or UnauthorizedAccessException:
                // A local file could not be read or written, or a transfer was cut or failed its integrity check.
                stderr.WriteLine($"error: {exception.Message}");
                return ExitCodes.ApiError;

            case OperationCanceledException:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;

            default:
                // A bug, not a user error: show the whole exception so it can be reported.
                stderr.WriteLine($"error: InternalError: {exception}");
                return ExitCodes.ApiError;
        }
    }

    private static string InnermostMessage(Exception exception)
    {
        var inner = exception.InnerException ?? exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }
}
