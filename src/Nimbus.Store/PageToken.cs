using System.Buffers.Binary;
using System.Buffers.Text;
using Nimbus.Core.Errors;

namespace Nimbus.Store;

/// <summary>
/// List continuation tokens: base64url of a format byte and the big-endian primary key of the last
/// item returned. Keyset pagination on the key stays stable when rows are added or removed.
/// </summary>
internal static class PageToken
{
    private const byte Format = 1;
    private const int Length = 9;

    public static string Encode(long lastKey)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], lastKey);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The key after which the page starts: 0 for no token.</summary>
    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (token.Length > 16
            || !Base64Url.IsValid(token, out var length)
            || length != Length
            || !Base64Url.TryDecodeFromChars(token, bytes, out var written)
            || written != Length
            || bytes[0] != Format)
        {
            throw Malformed();
        }

        var key = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return key >= 0 ? key : throw Malformed();
    }

    private static NimbusException Malformed() =>
        NimbusException.Invalid("pageToken", "The page token is not one this service issued; start again without it.");
}
