using System.Text;
using Nimbus.Core.Errors;
using Nimbus.Storage.S3;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>The raw request target as the S3 door reads it: bucket, key and query, with the lookups kept lazy for speed.</summary>
public sealed class S3RequestTests
{
    private const string Domain = "s3.nimbus.test";

    [Fact]
    public void A_presigned_get_keeps_its_parameters_readable_and_the_raw_query_intact()
    {
        const string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261123%2Flocal%2Fs3%2Faws4_request&X-Amz-Date=20261123T040000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
        var request = S3Request.Parse("/photos/2026/cat.jpg?" + query, "127.0.0.1:9000", Domain);

        request.Bucket.ShouldBe("photos");
        request.Key.ShouldBe("2026/cat.jpg");
        request.KeyBytes.ShouldBe(Encoding.UTF8.GetBytes("2026/cat.jpg"));
        request.RawPath.ShouldBe("/photos/2026/cat.jpg");
        request.RawQuery.ShouldBe(query);
        request.Has("X-Amz-Algorithm").ShouldBeTrue();
        request.Has("x-amz-algorithm").ShouldBeFalse();
        request.Query("X-Amz-Credential").ShouldBe("AKID/20261123/local/s3/aws4_request");
        request.Query("versionId").ShouldBeNull();
        request.Resource.ShouldBe("/photos/2026/cat.jpg");
    }

    [Fact]
    public void Parsing_a_presigned_get_allocates_only_the_request_its_key_and_the_parameter_table()
    {
        const string target = "/bench/worker-7?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAJSCDQN3EI3LUCUS3%2F20261123%2Flocal%2Fs3%2Faws4_request&X-Amz-Date=20261123T040000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for (var i = 0; i < 100; i++)
        {
            S3Request.Parse(target, "127.0.0.1:9000", Domain).Has("X-Amz-Algorithm").ShouldBeTrue();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            S3Request.Parse(target, "127.0.0.1:9000", Domain).Has("X-Amz-Algorithm").ShouldBeTrue();
        }

        // Path and query strings, bucket, key bytes and text, the request and six query entries: 976 bytes with
        // these lengths (the parser that decoded the twelve names and values into a dictionary also split the
        // query into six strings and made two byte arrays and a string per parameter).
        ((GC.GetAllocatedBytesForCurrentThread() - before) / 100).ShouldBeLessThan(1200);
    }

    [Fact]
    public void Query_parameters_decode_names_and_values_and_the_first_of_a_repeated_name_wins()
    {
        var request = S3Request.Parse("/b?prefix=a%2Fb+c&&uploads&x%2Dy=%E2%82%AC&prefix=second&delimiter=", null, Domain);

        request.Key.ShouldBeNull();
        request.Query("prefix").ShouldBe("a/b+c");
        request.Has("uploads").ShouldBeTrue();
        request.Query("uploads").ShouldBe("");
        request.Query("x-y").ShouldBe("€");
        request.Query("delimiter").ShouldBe("");
        request.Has("").ShouldBeFalse();
    }

    [Theory]
    [InlineData("/b/k?prefix=%zz")]
    [InlineData("/b/k?a=1&unread=%4")]
    [InlineData("/b/k?a=%")]
    public void A_malformed_escape_in_any_query_value_is_refused_even_when_no_handler_reads_it(string target)
    {
        var error = Should.Throw<NimbusException>(() => S3Request.Parse(target, null, Domain));

        error.Code.ShouldBe("InvalidArgument");
    }

    [Fact]
    public void Keys_with_escapes_spaces_and_unicode_come_out_exactly()
    {
        var request = S3Request.Parse("/b/a%20b/%2E%2E/%C3%A9+x", null, Domain);

        request.Key.ShouldBe("a b/../é+x");
        request.KeyBytes.ShouldBe(Encoding.UTF8.GetBytes("a b/../é+x"));
    }

    [Fact]
    public void A_plain_key_longer_than_1024_bytes_is_refused()
    {
        var error = Should.Throw<NimbusException>(() => S3Request.Parse("/b/" + new string('k', 1025), null, Domain));

        error.Code.ShouldBe("KeyTooLongError");
        S3Request.Parse("/b/" + new string('k', 1024), null, Domain).KeyBytes!.Length.ShouldBe(1024);
    }

    [Theory]
    [InlineData("photos.s3.nimbus.test", "photos")]
    [InlineData("photos.s3.nimbus.test:9000", "photos")]
    [InlineData("Photos.S3.Nimbus.Test:9000", "photos")]
    [InlineData("photos.s3.nimbus.test.", "photos")]
    [InlineData("photos.localhost:9000", "photos")]
    [InlineData("s3.nimbus.test", null)]
    [InlineData("S3.NIMBUS.TEST:9000", null)]
    [InlineData("127.0.0.1:9000", null)]
    [InlineData("[::1]:9000", null)]
    [InlineData("localhost:9000", null)]
    public void The_bucket_comes_from_a_virtual_host_name_in_any_case_or_else_from_the_path(string host, string? hostBucket)
    {
        var request = S3Request.Parse("/first/key", host, Domain);

        request.VirtualHost.ShouldBe(hostBucket is not null);
        request.Bucket.ShouldBe(hostBucket ?? "first");
        request.Key.ShouldBe(hostBucket is null ? "key" : "first/key");
    }
}
