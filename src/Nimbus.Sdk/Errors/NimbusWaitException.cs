using Nimbus.Contracts.Resources;

namespace Nimbus.Sdk;

/// <summary>A wait for a resource's phase or deletion ended without reaching it.</summary>
public sealed class NimbusWaitException : NimbusClientException
{
    /// <summary>Code when the deadline passed: <c>WaitTimeout</c>.</summary>
    public const string WaitTimeoutCode = "WaitTimeout";

    /// <summary>Code when the resource reached phase <c>failed</c> instead: <c>ResourceFailed</c>.</summary>
    public const string ResourceFailedCode = "ResourceFailed";

    /// <summary>Creates the exception.</summary>
    /// <param name="code"><see cref="WaitTimeoutCode"/> or <see cref="ResourceFailedCode"/>.</param>
    /// <param name="message">Human-readable description.</param>
    /// <param name="lastSeen">The resource as last read; null if never read.</param>
    public NimbusWaitException(string code, string message, ResourceDto? lastSeen)
        : base(message)
    {
        Code = code;
        LastSeen = lastSeen;
    }

    /// <inheritdoc />
    public override string Code { get; }

    /// <summary>The resource as last read; null if it was never read.</summary>
    public ResourceDto? LastSeen { get; }

    /// <summary>True for a timeout (waiting longer may help), false for a failed resource.</summary>
    public override bool IsTransient => Code == WaitTimeoutCode;
}
