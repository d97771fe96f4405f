using System.Globalization;
using Nimbus.Contracts.Checksums;

namespace Nimbus.Storage.S3;

/// <summary>
/// GetObjectAttributes (GET ?attributes): what <c>x-amz-object-attributes</c> names of ETag, Checksum, ObjectParts,
/// StorageClass and ObjectSize, without the object's data. Parts are listed from <c>x-amz-part-number-marker</c>,
/// at most <c>x-amz-max-parts</c> (1000) at a time.
/// </summary>
internal static class ObjectAttributesHandlers
{
    private static readonly string[] Known = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    public static async Task GetAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        var wanted = Wanted(s3);
        var maxParts = HeaderInt(s3, "x-amz-max-parts", 1000);
        var marker = HeaderInt(s3, "x-amz-part-number-marker", 0);

        // As in S3, reading an object's attributes needs both the read and the attributes permission.
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", s3.ObjectArn, bucket).ConfigureAwait(false);
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObjectAttributes" : "s3:GetObjectVersionAttributes", s3.ObjectArn, bucket).ConfigureAwait(false);
        var record = ObjectHandlers.Find(s3, bucket.Id, versionId);
        ObjectHandlers.WriteVersionId(s3, bucket, record.VersionId);
        s3.Response.Headers.LastModified = HttpDates.Format(record.LastModified);

        using var xml = new S3Xml("GetObjectAttributesResponse");
        if (wanted.Contains("ETag"))
        {
            xml.Element("ETag", record.ETag.Trim('"'));
        }

        if (wanted.Contains("Checksum") && record.Checksum is { } checksum)
        {
            xml.Start("Checksum").Element(checksum.ElementName, checksum.Value).Element("ChecksumType", checksum.TypeName).End();
        }

        if (wanted.Contains("ObjectParts") && record.PartCount > 0)
        {
            var checksums = s3.Services.Engine.Reader.GetPartChecksums(bucket.Id, s3.KeyBytes, record.VersionId);
            var count = record.Segments.Length;
            var last = (int)Math.Min(count, (long)marker + Math.Min(maxParts, 1000));
            xml.Start("ObjectParts").Element("PartsCount", record.PartCount).Element("PartNumberMarker", marker)
                .Element("NextPartNumberMarker", Math.Max(marker, last)).Element("MaxParts", maxParts).Element("IsTruncated", last < count);
            for (var number = marker + 1; number <= last; number++)
            {
                xml.Start("Part").Element("PartNumber", number).Element("Size", record.Segments[number - 1].Length);
                if (checksums is not null && number <= checksums.Length && checksums[number - 1] is { } part)
                {
                    xml.Element(part.ElementName, part.Value);
                }

                xml.End();
            }

            xml.End();
        }

        if (wanted.Contains("StorageClass"))
        {
            xml.Element("StorageClass", "STANDARD");
        }

        if (wanted.Contains("ObjectSize"))
        {
            xml.Element("ObjectSize", record.Size);
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    private static HashSet<string> Wanted(S3Context s3)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in s3.Headers["x-amz-object-attributes"])
        {
            foreach (var name in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                wanted.Add(Array.IndexOf(Known, name) >= 0 ? name : throw S3Errors.InvalidArgument($"Invalid attribute name specified: '{name}'. Expected any of ETag, Checksum, ObjectParts, StorageClass, ObjectSize."));
            }
        }

        return wanted.Count > 0 ? wanted : throw S3Errors.InvalidArgument("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty.");
    }

    private static int HeaderInt(S3Context s3, string header, int fallback)
    {
        var value = s3.Headers[header].ToString();
        if (value.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 10_000
            ? number
            : throw S3Errors.InvalidArgument($"{header} must be an integer from 0 to 10000.");
    }
}
