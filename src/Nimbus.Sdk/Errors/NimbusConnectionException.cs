namespace Nimbus.Sdk;

/// <summary>The server could not be reached (refused, reset, DNS, TLS or timeout), after all retries.</summary>
public sealed class NimbusConnectionException : NimbusClientException
{
    /// <summary>SDK error code of this exception: <c>ConnectionFailed</c>.</summary>
    public const string ConnectionFailedCode = "ConnectionFailed";

    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">Endpoint that could not be reached.</param>
    /// <param name="attempts">Number of attempts made.</param>
    /// <param name="innerException">The last failure.</param>
    public NimbusConnectionException(Uri endpoint, int attempts, Exception innerException)
        : base($"Cannot connect to {endpoint} ({attempts} attempt{(attempts == 1 ? "" : "s")}): {innerException.Message}", innerException)
    {
        Endpoint = endpoint;
        Attempts = attempts;
    }

    /// <summary>The endpoint the client was configured with.</summary>
    public Uri Endpoint { get; }

    /// <summary>How many attempts were made before giving up.</summary>
    public int Attempts { get; }

    /// <inheritdoc />
    public override string Code => ConnectionFailedCode;

    /// <summary>Always true: the server may be reachable later.</summary>
    public override bool IsTransient => true;
}
