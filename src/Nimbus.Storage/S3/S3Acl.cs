namespace Nimbus.Storage.S3;

/// <summary>
/// Access control lists, as on an S3 bucket whose Object Ownership is "bucket owner enforced" (what S3 gives every
/// new bucket since 2023): ACLs are disabled, and IAM and bucket policies alone decide access. Reading an ACL
/// answers the owner's FULL_CONTROL. Setting one, or sending one with a write, is accepted only when it grants no
/// more than that (the canned <c>private</c> or <c>bucket-owner-full-control</c>, or a policy document granting the
/// owner FULL_CONTROL and nothing else); anything else answers <c>AccessControlListNotSupported</c>, so that an
/// <c>--acl public-read</c> never looks as if it had made an object public.
/// </summary>
internal static class S3Acl
{
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

    private static readonly string[] GrantHeaders =
        ["x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"];

    /// <summary>Throws <c>AccessControlListNotSupported</c> when the request's ACL headers grant anything beyond the owner's full control.</summary>
    public static void RequireOwnerOnlyHeaders(S3Context s3)
    {
        var canned = s3.Headers["x-amz-acl"];
        if (canned.Count > 1 || (canned.Count == 1 && canned[0] is not ("private" or "bucket-owner-full-control")))
        {
            throw S3Errors.AccessControlListNotSupported();
        }

        foreach (var header in GrantHeaders)
        {
            if (s3.Headers.ContainsKey(header))
            {
                throw S3Errors.AccessControlListNotSupported();
            }
        }
    }

    /// <summary>PUT ?acl on a bucket or an object: a no-op when what it asks for is what there is, else refused.</summary>
    public static async Task PutAsync(S3Context s3, string account)
    {
        RequireOwnerOnlyHeaders(s3);
        var body = await s3.ReadSmallBodyAsync(64 * 1024).ConfigureAwait(false);
        if (body.Length > 0)
        {
            if (s3.Headers.ContainsKey("x-amz-acl"))
            {
                throw new Core.Errors.NimbusException("UnexpectedContent", 400, "This request does not support content with an x-amz-acl header.");
            }

            var root = S3XmlInput.Parse(body, "AccessControlPolicy");
            var grants = root.Child("AccessControlList")?.Children("Grant").ToList() ?? [];
            var ownerOnly = grants.Count == 1
                && grants[0].Child("Permission")?.Value == "FULL_CONTROL"
                && grants[0].Child("Grantee") is { } grantee
                && grantee.Child("ID")?.Value == account
                && grantee.Child("URI") is null
                && grantee.Child("EmailAddress") is null;
            if (!ownerOnly)
            {
                throw S3Errors.AccessControlListNotSupported();
            }
        }
        else if (!s3.Headers.ContainsKey("x-amz-acl"))
        {
            throw S3Errors.MalformedXml("PUT ?acl needs an x-amz-acl header or an AccessControlPolicy document.");
        }

        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    /// <summary>The one ACL there is: the owning account's FULL_CONTROL.</summary>
    public static async Task SendOwnerFullControlAsync(S3Context s3, string account)
    {
        using var xml = new S3Xml("AccessControlPolicy");
        xml.Start("Owner").Element("ID", account).Element("DisplayName", account).End();
        xml.Start("AccessControlList").Start("Grant");
        xml.Start("Grantee").Attribute("xmlns", "xsi", null, XsiNamespace).Attribute("xsi", "type", XsiNamespace, "CanonicalUser");
        xml.Element("ID", account).Element("DisplayName", account).End();
        xml.Element("Permission", "FULL_CONTROL").End().End();
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }
}
