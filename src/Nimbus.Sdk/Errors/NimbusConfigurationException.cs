namespace Nimbus.Sdk;

/// <summary>Settings are missing or invalid: no credentials, unknown profile, bad endpoint, unreadable file.</summary>
public sealed class NimbusConfigurationException : NimbusClientException
{
    /// <summary>SDK error code of this exception: <c>InvalidConfiguration</c>.</summary>
    public const string InvalidConfigurationCode = "InvalidConfiguration";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">Underlying cause; optional.</param>
    public NimbusConfigurationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override string Code => InvalidConfigurationCode;

    /// <summary>Always false: the configuration must be fixed first.</summary>
    public override bool IsTransient => false;
}
