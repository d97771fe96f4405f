namespace Nimbus.Contracts.Signing;

/// <summary>Receives the intermediate strings of one signature computation (tests, and the failure path only).</summary>
internal sealed class SigV4Trace
{
    public string? CanonicalRequest { get; set; }

    public string? StringToSign { get; set; }
}
