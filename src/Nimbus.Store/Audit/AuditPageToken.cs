using System.Buffers.Binary;
using System.Buffers.Text;
using Nimbus.Core.Errors;

namespace Nimbus.Store.Audit;

/// <summary>
/// Continuation tokens of audit queries: base64url of a format byte, then the time (UTC ticks) and
/// sequence of the last event returned, big-endian. Keyset pagination on (time, seq) never skips
/// or repeats an event while new ones are appended.
/// </summary>
internal static class AuditPageToken
{
    private const byte Format = 1;
    private const int Length = 17;

    public static string Encode(long timeTicks, long sequence)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], timeTicks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], sequence);
        return Base64Url.EncodeToString(bytes);
    }

    public static (long TimeTicks, long Sequence)? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (token.Length > 32
            || !Base64Url.IsValid(token, out var length)
            || length != Length
            || !Base64Url.TryDecodeFromChars(token, bytes, out var written)
            || written != Length
            || bytes[0] != Format)
        {
            throw NimbusException.Invalid("nextToken", "is not a token this service issued; start again without it");
        }

        return (BinaryPrimitives.ReadInt64BigEndian(bytes[1..]), BinaryPrimitives.ReadInt64BigEndian(bytes[9..]));
    }
}
