using System.Buffers;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// Writes the SigV4 canonical request (AWS General Reference, "Create a canonical request") as UTF-8,
/// shared by <see cref="SigV4Signer"/> and <see cref="SigV4Verifier"/> so both sides agree byte for byte.
/// </summary>
internal static class SigV4Canonicalizer
{
    private const int StackQueryEntries = 32;

    /// <summary>
    /// Writes the canonical request. Returns null, or the name of a header listed in
    /// <paramref name="signedHeaders"/> that the request does not carry (nothing useful was written then).
    /// </summary>
    public static string? WriteCanonicalRequest(
        ref ValueByteBuilder builder,
        ReadOnlySpan<char> method,
        ReadOnlySpan<char> rawPath,
        ReadOnlySpan<char> rawQuery,
        ISigV4HeaderSource headers,
        ReadOnlySpan<char> signedHeaders,
        ReadOnlySpan<char> payloadHash,
        SigV4PathStyle pathStyle,
        bool excludeSignatureParameter)
    {
        builder.AppendUtf8(method);
        builder.Append((byte)'\n');
        SigV4Encoding.AppendCanonicalUri(ref builder, rawPath, pathStyle);
        builder.Append((byte)'\n');
        AppendCanonicalQuery(ref builder, rawQuery, excludeSignatureParameter);
        builder.Append((byte)'\n');

        ReadOnlySpan<char> remaining = signedHeaders;
        while (true)
        {
            int separator = remaining.IndexOf(';');
            ReadOnlySpan<char> name = separator < 0 ? remaining : remaining[..separator];
            string headerName = WellKnownHeaderName(name);
            SigV4HeaderValues values = headers.GetValues(headerName);
            if (values.Count == 0)
            {
                return headerName;
            }

            builder.AppendUtf8(name);
            builder.Append((byte)':');
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append((byte)',');
                }

                AppendHeaderValue(ref builder, values[i]);
            }

            builder.Append((byte)'\n');
            if (separator < 0)
            {
                break;
            }

            remaining = remaining[(separator + 1)..];
        }

        builder.Append((byte)'\n');
        builder.AppendUtf8(signedHeaders);
        builder.Append((byte)'\n');
        builder.AppendUtf8(payloadHash);
        return null;
    }

    /// <summary>
    /// Returns a cached string for the header names nearly every request signs, so splitting
    /// <c>SignedHeaders</c> allocates nothing on the hot path; other names are allocated.
    /// </summary>
    public static string WellKnownHeaderName(ReadOnlySpan<char> name) => name switch
    {
        "host" => "host",
        "x-amz-date" => "x-amz-date",
        "x-amz-content-sha256" => "x-amz-content-sha256",
        "x-amz-security-token" => "x-amz-security-token",
        "content-type" => "content-type",
        "content-length" => "content-length",
        "content-md5" => "content-md5",
        "amz-sdk-invocation-id" => "amz-sdk-invocation-id",
        "amz-sdk-request" => "amz-sdk-request",
        "x-amz-user-agent" => "x-amz-user-agent",
        "x-amz-target" => "x-amz-target",
        "user-agent" => "user-agent",
        "date" => "date",
        "range" => "range",
        _ => name.ToString(),
    };

    /// <summary>Trims the value and collapses each run of spaces/tabs to one space.</summary>
    public static void AppendHeaderValue(ref ValueByteBuilder builder, ReadOnlySpan<char> value)
    {
        value = value.Trim(" \t");
        if (value.IndexOf("  ") < 0 && value.IndexOf('\t') < 0)
        {
            builder.AppendUtf8(value);
            return;
        }

        while (!value.IsEmpty)
        {
            int whitespace = value.IndexOfAny(' ', '\t');
            if (whitespace < 0)
            {
                builder.AppendUtf8(value);
                break;
            }

            builder.AppendUtf8(value[..whitespace]);
            builder.Append((byte)' ');
            value = value[whitespace..].TrimStart(" \t");
        }
    }

    /// <summary>
    /// Canonical query string: each name and value brought to canonical encoding, sorted by encoded
    /// name then encoded value (byte order), joined with <c>&amp;</c>; a name without <c>=</c> gets an empty value.
    /// </summary>
    public static void AppendCanonicalQuery(ref ValueByteBuilder builder, ReadOnlySpan<char> rawQuery, bool excludeSignatureParameter)
    {
        if (!rawQuery.IsEmpty && rawQuery[0] == '?')
        {
            rawQuery = rawQuery[1..];
        }

        if (rawQuery.IsEmpty)
        {
            return;
        }

        int maxEntries = rawQuery.Count('&') + 1;
        QueryEntry[]? rentedEntries = null;
        Span<QueryEntry> entries = maxEntries <= StackQueryEntries
            ? stackalloc QueryEntry[StackQueryEntries]
            : (rentedEntries = ArrayPool<QueryEntry>.Shared.Rent(maxEntries));
        var encoded = new ValueByteBuilder(stackalloc byte[512]);
        try
        {
            int count = 0;
            ReadOnlySpan<char> remaining = rawQuery;
            while (true)
            {
                int ampersand = remaining.IndexOf('&');
                ReadOnlySpan<char> parameter = ampersand < 0 ? remaining : remaining[..ampersand];
                if (!parameter.IsEmpty)
                {
                    int equals = parameter.IndexOf('=');
                    ReadOnlySpan<char> name = equals < 0 ? parameter : parameter[..equals];
                    ReadOnlySpan<char> value = equals < 0 ? [] : parameter[(equals + 1)..];
                    int nameStart = encoded.Length;
                    SigV4Encoding.AppendNormalized(ref encoded, name);
                    int nameLength = encoded.Length - nameStart;
                    if (excludeSignatureParameter && encoded.Written.Slice(nameStart, nameLength).SequenceEqual("X-Amz-Signature"u8))
                    {
                        // Presigned URLs sign every parameter except the signature itself.
                    }
                    else
                    {
                        int valueStart = encoded.Length;
                        SigV4Encoding.AppendNormalized(ref encoded, value);
                        entries[count++] = new QueryEntry(nameStart, nameLength, valueStart, encoded.Length - valueStart);
                    }
                }

                if (ampersand < 0)
                {
                    break;
                }

                remaining = remaining[(ampersand + 1)..];
            }

            Span<QueryEntry> used = entries[..count];
            Sort(used, encoded.Written);
            ReadOnlySpan<byte> data = encoded.Written;
            for (int i = 0; i < used.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append((byte)'&');
                }

                builder.Append(data.Slice(used[i].NameStart, used[i].NameLength));
                builder.Append((byte)'=');
                builder.Append(data.Slice(used[i].ValueStart, used[i].ValueLength));
            }
        }
        finally
        {
            encoded.Dispose();
            if (rentedEntries is not null)
            {
                ArrayPool<QueryEntry>.Shared.Return(rentedEntries);
            }
        }
    }

    private static int Compare(in QueryEntry left, in QueryEntry right, ReadOnlySpan<byte> data)
    {
        int byName = data.Slice(left.NameStart, left.NameLength).SequenceCompareTo(data.Slice(right.NameStart, right.NameLength));
        return byName != 0
            ? byName
            : data.Slice(left.ValueStart, left.ValueLength).SequenceCompareTo(data.Slice(right.ValueStart, right.ValueLength));
    }

    /// <summary>Insertion sort for the usual handful of parameters, heap sort (no worst case) beyond.</summary>
    private static void Sort(Span<QueryEntry> entries, ReadOnlySpan<byte> data)
    {
        if (entries.Length <= 16)
        {
            for (int i = 1; i < entries.Length; i++)
            {
                QueryEntry current = entries[i];
                int j = i - 1;
                while (j >= 0 && Compare(entries[j], current, data) > 0)
                {
                    entries[j + 1] = entries[j];
                    j--;
                }

                entries[j + 1] = current;
            }

            return;
        }

        for (int start = (entries.Length / 2) - 1; start >= 0; start--)
        {
            SiftDown(entries, start, entries.Length, data);
        }

        for (int end = entries.Length - 1; end > 0; end--)
        {
            (entries[0], entries[end]) = (entries[end], entries[0]);
            SiftDown(entries, 0, end, data);
        }
    }

    private static void SiftDown(Span<QueryEntry> entries, int root, int length, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int child = (2 * root) + 1;
            if (child >= length)
            {
                return;
            }

            if (child + 1 < length && Compare(entries[child], entries[child + 1], data) < 0)
            {
                child++;
            }

            if (Compare(entries[root], entries[child], data) >= 0)
            {
                return;
            }

            (entries[root], entries[child]) = (entries[child], entries[root]);
            root = child;
        }
    }

    private readonly record struct QueryEntry(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
