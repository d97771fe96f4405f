using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Signing;

namespace Nimbus.Iam.Authentication;

/// <summary>Adapts ASP.NET Core's headers to the verifier: one lookup, no copies for single values.</summary>
public sealed class HeaderDictionarySource(IHeaderDictionary headers) : ISigV4HeaderSource
{
    public SigV4HeaderValues GetValues(string name)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return SigV4HeaderValues.Empty;
        }

        return values.Count == 1 ? new SigV4HeaderValues(values[0]!) : new SigV4HeaderValues(values.ToArray()!);
    }
}
