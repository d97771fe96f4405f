namespace Nimbus.Sdk;

/// <summary>Base of every exception the SDK throws for a failed call.</summary>
public abstract class NimbusClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Human-readable description.</param>
    /// <param name="innerException">Underlying cause; optional.</param>
    protected NimbusClientException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Stable error code: an API code from <see cref="Nimbus.Contracts.Errors.ErrorCodes"/> or an SDK code.</summary>
    public abstract string Code { get; }

    /// <summary>True when the same call may succeed if tried again later (throttling, unavailability, network).</summary>
    public abstract bool IsTransient { get; }
}
