using System.Net;
using System.Security.Cryptography;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The CLI section of docs/storage.md, command for command, against a real server (REST and S3 ports).</summary>
public sealed class StorageCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private CliRun _cli = null!;
    private TempDirectory _files = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _files = new TempDirectory();
        _cli = new CliRun(handler: null, withCredentials: false);

        // The bootstrap file carries the S3 endpoint, so the profile knows both ports.
        (await _cli.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory])).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        _files.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }

    private string WriteFile(string relative, byte[] content)
    {
        var path = _files.Combine(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Buckets_are_created_listed_shown_and_deleted_only_when_empty_unless_forced()
    {
        (await OkAsync("storage", "bucket", "create", "photos", "--tag", "team=web")).Stdout.ShouldContain("photos");
        var listed = (await OkAsync("storage", "bucket", "list", "-o", "json")).Stdout.ParseJson();
        listed.GetProperty("items").EnumerateArray().Select(b => b.Str("name")).ShouldBe(["photos"]);
        var table = (await OkAsync("storage", "bucket", "list")).Stdout;
        table.ShouldStartWith("NAME    REGION  OBJECTS  BYTES  VERSIONING  TAGS      CREATED");
        table.ShouldContain("photos  local   0        0      Disabled    team=web");

        var again = await _cli.RunAsync(["storage", "bucket", "create", "photos"]);
        again.ExitCode.ShouldBe(1, again.ToString());
        again.Stderr.ShouldStartWith("error: AlreadyExists: ");
        var badName = await _cli.RunAsync(["storage", "bucket", "create", "Bad_Name"]);
        badName.ExitCode.ShouldBe(1, badName.ToString());
        badName.Stderr.ShouldStartWith("error: InvalidParameter: ");

        await OkAsync("storage", "cp", WriteFile("cat.jpg", [1, 2, 3]), "s3://photos/2024/cat.jpg");
        var full = await _cli.RunAsync(["storage", "bucket", "delete", "photos"]);
        full.ExitCode.ShouldBe(1, full.ToString());
        full.Stderr.ShouldStartWith("error: Conflict: ");
        await Poll.UntilAsync(
            async () => (await OkAsync("storage", "bucket", "get", "photos", "-o", "json")).Stdout.ParseJson(),
            b => b.GetProperty("status").GetProperty("details").Num("objects") == 1,
            TimeSpan.FromSeconds(10),
            "the bucket's usage shows the object");

        (await OkAsync("storage", "bucket", "delete", "photos", "--force")).Stdout.ShouldBe("deleted 1 objects from bucket photos\ndeleted bucket photos\n");
        var gone = await _cli.RunAsync(["storage", "bucket", "get", "photos"]);
        gone.ExitCode.ShouldBe(1);
        gone.Stderr.ShouldStartWith("error: NotFound: ");
    }

    [Theory]
    [InlineData("signed")]
    [InlineData("unsigned")]
    [InlineData("chunked")]
    public async Task Cp_uploads_and_downloads_the_exact_bytes_of_small_and_multipart_files(string payload)
    {
        await OkAsync("storage", "bucket", "create", "data");
        var small = RandomBytes(1000);
        var large = RandomBytes((20 * 1024 * 1024) + 123);
        var smallPath = WriteFile("small.bin", small);
        var largePath = WriteFile("large.bin", large);

        (await OkAsync("storage", "cp", smallPath, "s3://data/in/", "--payload", payload)).Stdout.ShouldBe($"upload: {smallPath} to s3://data/in/small.bin\n");
        await OkAsync("storage", "cp", largePath, "s3://data/in/big.bin", "--payload", payload, "--content-type", "application/x-test");

        var listing = (await OkAsync("storage", "ls", "s3://data/in/", "-o", "json")).Stdout.ParseJson();
        var objects = listing.GetProperty("objects").EnumerateArray().ToDictionary(o => o.Str("key"), o => o);
        objects.Keys.Order(StringComparer.Ordinal).ShouldBe(["in/big.bin", "in/small.bin"]);
        objects["in/small.bin"].Str("eTag").ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(small)) + "\"");
        objects["in/big.bin"].Num("size").ShouldBe(large.Length);
        objects["in/big.bin"].Str("eTag").ShouldEndWith("-3\"", Case.Sensitive, "20 MiB goes up in three 8 MiB parts");

        var downloads = _files.Combine("down");
        Directory.CreateDirectory(downloads);
        (await OkAsync("storage", "cp", "s3://data/in/small.bin", downloads)).Stdout.ShouldBe($"download: s3://data/in/small.bin to {Path.Combine(downloads, "small.bin")}\n");
        await OkAsync("storage", "cp", "s3://data/in/big.bin", Path.Combine(downloads, "big.copy"));
        File.ReadAllBytes(Path.Combine(downloads, "small.bin")).ShouldBe(small);
        File.ReadAllBytes(Path.Combine(downloads, "big.copy")).ShouldBe(large);
        Directory.GetFiles(downloads).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray().ShouldBe(["big.copy", "small.bin"], "no temporary file is left behind");

        using var s3 = ClientFactory.S3(_server);
        (await s3.HeadObjectAsync("data", "in/big.bin")).ContentType.ShouldBe("application/x-test");
    }

    [Fact]
    public async Task Cp_streams_standard_input_into_an_object_and_an_object_to_standard_output()
    {
        await OkAsync("storage", "bucket", "create", "pipes");
        var small = RandomBytes(1000);
        var large = RandomBytes((20 * 1024 * 1024) + 5);
        foreach (var (key, bytes, etagSuffix) in new[] { ("small.bin", small, "\""), ("large.bin", large, "-3\"") })
        {
            var (upload, _) = await _cli.RunWithBytesAsync(["storage", "cp", "-", $"s3://pipes/{key}"], new OneWayStream(bytes));
            upload.ExitCode.ShouldBe(0, upload.ToString());
            upload.Stderr.ShouldBe($"upload: {bytes.Length} bytes from standard input to s3://pipes/{key}\n");
            upload.Stdout.ShouldBeEmpty();

            var (download, stdout) = await _cli.RunWithBytesAsync(["storage", "cp", $"s3://pipes/{key}", "-"], Stream.Null);
            download.ExitCode.ShouldBe(0, download.ToString());
            download.Stdout.ShouldBeEmpty("nothing but the object's bytes goes to standard output");
            stdout.ShouldBe(bytes);
            using var s3 = ClientFactory.S3(_server);
            (await s3.HeadObjectAsync("pipes", key)).ETag.ShouldEndWith(etagSuffix, Case.Sensitive, "more than one 8 MiB part of standard input is a multipart upload");
        }

        var empty = await _cli.RunWithBytesAsync(["storage", "cp", "-", "s3://pipes/empty"], Stream.Null);
        empty.Result.ExitCode.ShouldBe(0, empty.Result.ToString());
        (await _cli.RunWithBytesAsync(["storage", "cp", "s3://pipes/empty", "-"], Stream.Null)).Stdout.ShouldBeEmpty();

        var noKey = (await _cli.RunWithBytesAsync(["storage", "cp", "-", "s3://pipes/folder/"], Stream.Null)).Result;
        noKey.ExitCode.ShouldBe(2, noKey.ToString());
        noKey.Stderr.ShouldContain("standard input has no file name");
        var recursive = (await _cli.RunWithBytesAsync(["storage", "cp", "s3://pipes/small.bin", "-", "--recursive"], Stream.Null)).Result;
        recursive.ExitCode.ShouldBe(2, recursive.ToString());
        var local = (await _cli.RunWithBytesAsync(["storage", "cp", "-", "local.txt"], Stream.Null)).Result;
        local.ExitCode.ShouldBe(2, local.ToString());
        var missing = (await _cli.RunWithBytesAsync(["storage", "cp", "s3://pipes/absent", "-"], Stream.Null)).Result;
        missing.ExitCode.ShouldBe(1, missing.ToString());
        missing.Stderr.ShouldStartWith("error: NoSuchKey: ");
    }

    [Fact]
    public async Task Ls_prints_every_page_of_a_listing_longer_than_one_page()
    {
        await OkAsync("storage", "bucket", "create", "many");
        using var s3 = ClientFactory.S3(_server);
        var keys = Enumerable.Range(0, 1203).Select(i => $"k/{i:D5}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) => await s3.PutObjectAsync("many", key, new byte[] { 1 }, cancellationToken: ct));

        var json = (await OkAsync("storage", "ls", "s3://many", "--recursive", "-o", "json")).Stdout.ParseJson();
        json.Str("bucket").ShouldBe("many");
        json.GetProperty("objects").EnumerateArray().Select(o => o.Str("key")).ShouldBe(keys);
        json.GetProperty("prefixes").GetArrayLength().ShouldBe(0);
        var rolled = (await OkAsync("storage", "ls", "s3://many", "-o", "json")).Stdout.ParseJson();
        rolled.GetProperty("prefixes").EnumerateArray().Select(p => p.GetString()).ShouldBe(["k/"]);
        var table = (await OkAsync("storage", "ls", "s3://many/k/")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        table.Length.ShouldBe(1 + keys.Count);
        table[^1].ShouldEndWith("  1              k/01202");
        var yaml = (await OkAsync("storage", "ls", "s3://many/k/0000", "-o", "yaml")).Stdout;
        yaml.ShouldContain("k/00009");
    }

    [Fact]
    public async Task Bucket_delete_force_removes_versions_delete_markers_and_uploads_in_progress()
    {
        await OkAsync("storage", "bucket", "create", "layered");
        await OkAsync("storage", "bucket", "versioning", "enable", "layered");
        using var s3 = ClientFactory.S3(_server);
        await s3.PutObjectAsync("layered", "doc", "v1"u8.ToArray());
        await s3.PutObjectAsync("layered", "doc", "v2"u8.ToArray());
        await s3.PutObjectAsync("layered", "gone", "x"u8.ToArray());
        await s3.DeleteObjectAsync("layered", "gone");
        await s3.CreateMultipartUploadAsync("layered", "unfinished");

        var plain = await _cli.RunAsync(["storage", "bucket", "delete", "layered"]);
        plain.ExitCode.ShouldBe(1, plain.ToString());

        (await OkAsync("storage", "bucket", "delete", "layered", "--force")).Stdout.ShouldBe(
            "aborted 1 multipart uploads in bucket layered\n"
            + "deleted 3 object versions and 1 delete markers from bucket layered\n"
            + "deleted bucket layered\n");
        var gone = await _cli.RunAsync(["storage", "bucket", "get", "layered"]);
        gone.Stderr.ShouldStartWith("error: NotFound: ");
    }

    /// <summary>Standard input as a pipe: it reads, and it can neither seek nor tell its length.</summary>
    private sealed class OneWayStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 65536));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Recursive_cp_uploads_a_directory_tree_and_brings_it_back_byte_for_byte()
    {
        await OkAsync("storage", "bucket", "create", "tree");
        var files = new Dictionary<string, byte[]>
        {
            ["a.txt"] = "alpha"u8.ToArray(),
            ["sub dir/b+c.txt"] = RandomBytes(4096),
            ["sub dir/deeper/ünï 100%.bin"] = RandomBytes(70_000),
            ["empty.dat"] = [],
        };
        foreach (var (name, content) in files)
        {
            WriteFile("src/" + name, content);
        }

        var upload = (await OkAsync("storage", "cp", _files.Combine("src"), "s3://tree/backup", "--recursive")).Stdout;
        upload.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(4, upload);
        var keys = (await OkAsync("storage", "ls", "s3://tree", "--recursive", "-o", "json")).Stdout.ParseJson()
            .GetProperty("objects").EnumerateArray().Select(o => o.Str("key")).ToList();
        keys.ShouldBe(files.Keys.Select(k => "backup/" + k).Order(StringComparer.Ordinal).ToList());

        var top = (await OkAsync("storage", "ls", "s3://tree/backup/")).Stdout;
        top.ShouldStartWith("MODIFIED              SIZE           KEY\n");
        top.ShouldContain("\n-                     PRE            backup/sub dir/\n");
        top.ShouldMatch(@"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  5              backup/a\.txt\n");

        await OkAsync("storage", "cp", "s3://tree/backup", _files.Combine("restored"), "--recursive");
        foreach (var (name, content) in files)
        {
            File.ReadAllBytes(_files.Combine(["restored", .. name.Split('/')])).ShouldBe(content, name);
        }

        await OkAsync("storage", "cp", "s3://tree/backup/", "s3://tree/copy/", "--recursive");
        (await OkAsync("storage", "ls", "s3://tree/copy/", "--recursive", "-o", "json")).Stdout.ParseJson().GetProperty("objects").GetArrayLength().ShouldBe(4);

        var removed = (await OkAsync("storage", "rm", "s3://tree/backup/", "--recursive")).Stdout;
        removed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(4, removed);
        (await OkAsync("storage", "rm", "s3://tree/copy/a.txt")).Stdout.ShouldBe("delete: s3://tree/copy/a.txt\n");
        var left = (await OkAsync("storage", "ls", "s3://tree", "--recursive", "-o", "json")).Stdout.ParseJson().GetProperty("objects").EnumerateArray().Select(o => o.Str("key"));
        left.ShouldBe(["copy/empty.dat", "copy/sub dir/b+c.txt", "copy/sub dir/deeper/ünï 100%.bin"]);
    }

    [Fact]
    public async Task Recursive_download_never_writes_outside_the_destination_whatever_the_keys()
    {
        await OkAsync("storage", "bucket", "create", "hostile");
        using var s3 = ClientFactory.S3(_server);
        await s3.PutObjectAsync("hostile", "ok/fine.txt", "fine"u8.ToArray());
        await s3.PutObjectAsync("hostile", "ok/../../escaped.txt", "bad"u8.ToArray());
        await s3.PutObjectAsync("hostile", "ok//abs.txt", "bad"u8.ToArray());

        var result = await _cli.RunAsync(["storage", "cp", "s3://hostile/ok/", _files.Combine("into", "here"), "--recursive"]);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("warning: skipped s3://hostile/ok/../../escaped.txt: the key is not a safe relative file path");
        result.Stderr.ShouldContain("error: 2 objects were not downloaded");
        File.ReadAllText(_files.Combine("into", "here", "fine.txt")).ShouldBe("fine");
        File.Exists(_files.Combine("escaped.txt")).ShouldBeFalse();
        File.Exists(_files.Combine("into", "escaped.txt")).ShouldBeFalse();
        File.Exists("/abs.txt").ShouldBeFalse();
    }

    [Fact]
    public async Task Presigned_urls_let_plain_http_clients_get_and_put_until_they_expire()
    {
        await OkAsync("storage", "bucket", "create", "shared");
        await OkAsync("storage", "cp", WriteFile("report.pdf", "%PDF-1.7 report"u8.ToArray()), "s3://shared/q1/report.pdf");

        var getUrl = (await OkAsync("storage", "presign", "s3://shared/q1/report.pdf", "--expires", "300")).Stdout.Trim();
        getUrl.ShouldStartWith(_server.S3Endpoint.ToString() + "shared/q1/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&");
        getUrl.ShouldContain("X-Amz-Expires=300");
        using var anonymous = new HttpClient();
        (await anonymous.GetStringAsync(getUrl)).ShouldBe("%PDF-1.7 report");

        var putUrl = (await OkAsync("storage", "presign", "s3://shared/inbox/upload.txt", "--method", "PUT")).Stdout.Trim();
        using (var put = await anonymous.PutAsync(putUrl, new ByteArrayContent("dropped off"u8.ToArray())))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        }

        await OkAsync("storage", "cp", "s3://shared/inbox/upload.txt", _files.Combine("upload.txt"));
        File.ReadAllText(_files.Combine("upload.txt")).ShouldBe("dropped off");

        using var tampered = await anonymous.GetAsync(getUrl.Replace("report.pdf", "other.pdf", StringComparison.Ordinal));
        tampered.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await anonymous.GetStringAsync(getUrl)).ShouldBe("%PDF-1.7 report");

        var badExpiry = await _cli.RunAsync(["storage", "presign", "s3://shared/q1/report.pdf", "--expires", "604801"]);
        badExpiry.ExitCode.ShouldBe(2, badExpiry.ToString());
        badExpiry.Stderr.ShouldContain("--expires must be a whole number of seconds from 1 to 604800 (7 days), not '604801'.");
    }

    [Fact]
    public async Task Mistakes_get_clear_errors_and_exit_codes()
    {
        await OkAsync("storage", "bucket", "create", "errs");

        var missingKey = await _cli.RunAsync(["storage", "cp", "s3://errs/nope.txt", _files.Combine("nope.txt")]);
        missingKey.ExitCode.ShouldBe(1, missingKey.ToString());
        missingKey.Stderr.ShouldStartWith("error: NoSuchKey: ");
        File.Exists(_files.Combine("nope.txt")).ShouldBeFalse();

        var missingBucket = await _cli.RunAsync(["storage", "ls", "s3://no-such-bucket-here/"]);
        missingBucket.ExitCode.ShouldBe(1, missingBucket.ToString());
        missingBucket.Stderr.ShouldStartWith("error: NoSuchBucket: ");

        var local = await _cli.RunAsync(["storage", "cp", "a.txt", "b.txt"]);
        local.ExitCode.ShouldBe(2);
        local.Stderr.ShouldBe("error: one of source and destination must be s3://bucket/key (use cp(1) for local copies)\n");

        var noBucket = await _cli.RunAsync(["storage", "rm", "s3:///key"]);
        noBucket.ExitCode.ShouldBe(2);
        noBucket.Stderr.ShouldBe("error: 's3:///key' names no bucket: write s3://bucket/key.\n");

        var noFile = await _cli.RunAsync(["storage", "cp", _files.Combine("absent.txt"), "s3://errs/"]);
        noFile.ExitCode.ShouldBe(2);
        noFile.Stderr.ShouldBe($"error: '{_files.Combine("absent.txt")}' does not exist\n");

        var directory = await _cli.RunAsync(["storage", "cp", _files.Path, "s3://errs/"]);
        directory.ExitCode.ShouldBe(2);
        directory.Stderr.ShouldBe($"error: '{_files.Path}' is a directory: add --recursive to upload it\n");

        var whole = await _cli.RunAsync(["storage", "rm", "s3://errs"]);
        whole.ExitCode.ShouldBe(2);
        whole.Stderr.ShouldBe("error: s3://errs/ names no object: give s3://bucket/key, or --recursive to empty the bucket\n");

        var unreachable = await _cli.RunAsync(["storage", "ls", "s3://errs/", "--s3-endpoint", "http://127.0.0.1:1"]);
        unreachable.ExitCode.ShouldBe(3, unreachable.ToString());
        unreachable.Stderr.ShouldStartWith("error: ConnectionFailed: cannot connect to http://127.0.0.1:1/");
    }

    [Fact]
    public async Task Versioning_state_reads_disabled_on_a_new_bucket()
    {
        await OkAsync("storage", "bucket", "create", "versions");
        (await OkAsync("storage", "bucket", "versioning", "get", "versions")).Stdout.ShouldBe("BUCKET    VERSIONING\nversions  Disabled\n");
        (await OkAsync("storage", "bucket", "versioning", "get", "versions", "-o", "json")).Stdout.ParseJson().Str("status").ShouldBe("Disabled");
    }

    [Fact]
    public async Task Bucket_policy_versioning_and_lifecycle_are_set_read_and_removed()
    {
        await OkAsync("storage", "bucket", "create", "configured");
        var policy = WriteFile("policy.json", """
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": "nrn:nimbus:s3:::configured/public/*"}]}
            """u8.ToArray());
        (await OkAsync("storage", "bucket", "policy", "put", "configured", "--document", policy)).Stdout.ShouldBe("set the policy of bucket configured\n");
        (await OkAsync("storage", "bucket", "policy", "get", "configured")).Stdout.ShouldContain("\"s3:GetObject\"");
        await OkAsync("storage", "bucket", "policy", "delete", "configured");
        (await _cli.RunAsync(["storage", "bucket", "policy", "get", "configured"])).Stderr.ShouldStartWith("error: NoSuchBucketPolicy: ");

        (await OkAsync("storage", "bucket", "versioning", "enable", "configured")).Stdout.ShouldContain("configured  Enabled");
        (await OkAsync("storage", "bucket", "versioning", "get", "configured", "-o", "json")).Stdout.ParseJson().Str("status").ShouldBe("Enabled");
        await OkAsync("storage", "bucket", "versioning", "suspend", "configured");
        (await OkAsync("storage", "bucket", "versioning", "get", "configured", "-o", "json")).Stdout.ParseJson().Str("status").ShouldBe("Suspended");

        await OkAsync("storage", "bucket", "lifecycle", "put", "configured", "--prefix", "logs/", "--expire-days", "30", "--abort-multipart-days", "7");
        var lifecycle = (await OkAsync("storage", "bucket", "lifecycle", "get", "configured")).Stdout;
        lifecycle.ShouldContain("<Prefix>logs/</Prefix>");
        lifecycle.ShouldContain("<Days>30</Days>");
        lifecycle.ShouldContain("<DaysAfterInitiation>7</DaysAfterInitiation>");
        await OkAsync("storage", "bucket", "lifecycle", "delete", "configured");
        (await _cli.RunAsync(["storage", "bucket", "lifecycle", "get", "configured"])).Stderr.ShouldStartWith("error: NoSuchLifecycleConfiguration: ");
    }

    [Fact]
    public async Task Every_example_of_the_docs_cli_section_runs()
    {
        WriteFile("cat.jpg", RandomBytes(3000));
        WriteFile("site/index.html", "<h1>hi</h1>"u8.ToArray());
        WriteFile("site/css/main.css", "h1{}"u8.ToArray());
        WriteFile("site/a.txt", "a"u8.ToArray());
        WriteFile("policy.json", """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "nrn:nimbus:s3:::photos/*"}]}"""u8.ToArray());
        WriteFile("lifecycle.xml", System.Text.Encoding.UTF8.GetBytes(Commands.BucketLifecycleCommands.Rule("tmp/", 1, null, null)));

        var examples = DocExamples();
        examples.Count.ShouldBeGreaterThan(15);
        foreach (var args in examples)
        {
            await OkAsync(args);
        }

        File.ReadAllBytes(_files.Combine("downloads", "cat.jpg")).ShouldBe(File.ReadAllBytes(_files.Combine("cat.jpg")));
        File.ReadAllText(_files.Combine("restored", "css", "main.css")).ShouldBe("h1{}");
    }

    /// <summary>The runnable <c>nimbus storage</c> lines of docs/storage.md (no <c>[optional]</c> or <c>a|b</c> placeholders), comments cut, <c>./</c> paths moved into the test's directory.</summary>
    private List<string[]> DocExamples()
    {
        var examples = new List<string[]>();
        foreach (var line in Repository.DocLines("storage.md"))
        {
            if (!line.StartsWith("nimbus storage ", StringComparison.Ordinal))
            {
                continue;
            }

            var command = line.Split('#')[0].Trim();
            if (command.Contains('[', StringComparison.Ordinal) || command.Contains('|', StringComparison.Ordinal))
            {
                continue;
            }

            examples.Add([.. command["nimbus ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(word => word.StartsWith("./", StringComparison.Ordinal) ? _files.Path + word[1..] : word)
                .Select(word => word is "policy.json" or "lifecycle.xml" ? _files.Combine(word) : word)]);
        }

        return examples;
    }
}
