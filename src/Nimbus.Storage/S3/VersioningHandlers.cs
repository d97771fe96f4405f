using System.Text;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>PUT ?versioning and ListObjectVersions (GET ?versions).</summary>
internal static class VersioningHandlers
{
    public static async Task PutVersioningAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutBucketVersioning", bucket.Arn, bucket).ConfigureAwait(false);
        var root = S3XmlInput.Parse(await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false), "VersioningConfiguration");
        if (root.Child("MfaDelete")?.Value.Trim() == "Enabled")
        {
            throw S3Errors.NotImplemented("MFA delete");
        }

        var status = root.Child("Status")?.Value.Trim();
        if (status is not ("Enabled" or "Suspended"))
        {
            // Absent Status leaves the state as it is (S3 does the same); anything else is malformed.
            if (status is null)
            {
                s3.Response.StatusCode = 200;
                s3.Response.ContentLength = 0;
                return;
            }

            throw S3Errors.MalformedXml("Status must be Enabled or Suspended.");
        }

        await s3.Services.Buckets.UpdateAsync(bucket, spec => spec with { Versioning = status }, null, s3.Aborted).ConfigureAwait(false);
        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task ListVersionsAsync(S3Context s3)
    {
        var r = s3.Request;
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var prefix = r.Query("prefix") ?? "";
        var delimiter = r.Query("delimiter") ?? "";
        var maxKeys = ListHandlers.MaxKeysOf(r.Query("max-keys"));
        await s3.AuthorizeAsync("s3:ListBucketVersions", bucket.Arn, bucket, ListHandlers.Keys(prefix, delimiter, maxKeys)).ConfigureAwait(false);
        var keyMarker = r.Query("key-marker") ?? "";
        var versionMarker = r.Query("version-id-marker") ?? "";
        if (versionMarker.Length > 0 && keyMarker.Length == 0)
        {
            throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.");
        }

        var url = ListHandlers.UrlEncoding(r);
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var delimiterBytes = Encoding.UTF8.GetBytes(delimiter);
        var upper = prefixBytes.Length == 0 ? null : ListHandlers.PrefixEnd(prefixBytes);
        var reader = s3.Services.Engine.Reader;

        // The cursor: either inside a key (its versions older than a row) or at a key (inclusive).
        byte[] key;
        long? belowRow = null;
        if (keyMarker.Length == 0)
        {
            key = prefixBytes;
        }
        else
        {
            var markerBytes = Encoding.UTF8.GetBytes(keyMarker);
            if (versionMarker.Length > 0)
            {
                key = markerBytes;
                belowRow = reader.RowOf(bucket.Id, markerBytes, versionMarker) ?? throw S3Errors.InvalidArgument("Invalid version id specified.");
            }
            else
            {
                key = ListHandlers.RollUp(markerBytes, prefixBytes, delimiterBytes) is { } rolled ? ListHandlers.PrefixEnd(rolled) ?? [0xFF, 0xFF, 0xFF, 0xFF] : ListHandlers.Successor(markerBytes);
            }

            if (ListHandlers.Compare(key, prefixBytes) < 0)
            {
                (key, belowRow) = (prefixBytes, null);
            }
        }

        var entries = new List<ListedVersion>();
        var prefixes = new List<string>();
        var truncated = false;
        string? nextKey = null, nextVersion = null;
        while (maxKeys > 0)
        {
            var want = Math.Min(maxKeys - entries.Count - prefixes.Count + 1, 1001);
            var rows = reader.ListVersions(bucket.Id, key, belowRow, upper, want);
            var wasInsideKey = belowRow is not null;
            var jumped = false;
            foreach (var row in rows)
            {
                if (upper is not null && ListHandlers.Compare(row.Key, upper) >= 0)
                {
                    break;
                }

                var common = delimiterBytes.Length == 0 ? null : ListHandlers.RollUp(row.Key, prefixBytes, delimiterBytes);
                if (entries.Count + prefixes.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                if (common is not null)
                {
                    var text = Encoding.UTF8.GetString(common);
                    prefixes.Add(text);
                    (nextKey, nextVersion) = (text, null);
                    var end = ListHandlers.PrefixEnd(common);
                    if (end is null)
                    {
                        maxKeys = 0;
                    }
                    else
                    {
                        (key, belowRow) = (end, null);
                    }

                    jumped = true;
                    break;
                }

                entries.Add(row);
                (nextKey, nextVersion) = (Encoding.UTF8.GetString(row.Key), row.VersionId);
                (key, belowRow) = (row.Key, row.Row);
            }

            if (truncated || maxKeys == 0)
            {
                break;
            }

            if (jumped)
            {
                continue;
            }

            if (rows.Count < want)
            {
                if (!wasInsideKey)
                {
                    break;
                }

                // The rest of one key's versions ran out: go on with the keys after it.
                (key, belowRow) = (ListHandlers.Successor(key), null);
            }
        }

        using var xml = new S3Xml("ListVersionsResult");
        xml.Element("Name", bucket.Name).Element("Prefix", ListHandlers.Encode(prefix, url))
            .Element("KeyMarker", ListHandlers.Encode(keyMarker, url)).Element("VersionIdMarker", versionMarker)
            .Element("MaxKeys", ListHandlers.MaxKeysOf(r.Query("max-keys"))).Element("IsTruncated", truncated);
        if (truncated)
        {
            xml.Element("NextKeyMarker", ListHandlers.Encode(nextKey ?? "", url));
            if (nextVersion is not null)
            {
                xml.Element("NextVersionIdMarker", nextVersion);
            }
        }

        if (delimiter.Length > 0)
        {
            xml.Element("Delimiter", ListHandlers.Encode(delimiter, url));
        }

        if (url)
        {
            xml.Element("EncodingType", "url");
        }

        foreach (var v in entries)
        {
            xml.Start(v.IsDeleteMarker ? "DeleteMarker" : "Version").Element("Key", ListHandlers.Encode(Encoding.UTF8.GetString(v.Key), url))
                .Element("VersionId", v.VersionId).Element("IsLatest", v.IsLatest).Element("LastModified", v.LastModified);
            if (!v.IsDeleteMarker)
            {
                xml.Element("ETag", v.ETag).Element("Size", v.Size).Element("StorageClass", "STANDARD");
            }

            xml.Start("Owner").Element("ID", bucket.Account).Element("DisplayName", bucket.Account).End();
            xml.End();
        }

        foreach (var p in prefixes)
        {
            xml.Start("CommonPrefixes").Element("Prefix", ListHandlers.Encode(p, url)).End();
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }
}
