using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

public sealed class SigV4SignerTests
{
    private static readonly SigV4Credentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void Sign_adds_date_content_hash_and_authorization_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");

        SigV4Signer.Sign(request, Credentials, "us-east-1", "service", SuiteTime, SigV4Signer.EmptyPayloadHash);

        request.Headers.GetValues("X-Amz-Date").ShouldBe(["20150830T123600Z"]);
        request.Headers.GetValues("X-Amz-Content-Sha256").ShouldBe([SigV4Signer.EmptyPayloadHash]);
        request.Headers.Contains("X-Amz-Security-Token").ShouldBeFalse();
        string expected = ReferenceSigV4.Signature(
            Credentials.SecretAccessKey,
            "20150830T123600Z",
            "us-east-1",
            "service",
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-content-sha256:" + SigV4Signer.EmptyPayloadHash
            + "\nx-amz-date:20150830T123600Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + SigV4Signer.EmptyPayloadHash);
        request.Headers.GetValues("Authorization").ShouldBe(
            ["AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + expected]);
    }

    [Fact]
    public void Sign_signs_session_token_content_type_and_non_default_port()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost:8080/v1/things?b=2&a=1")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Nimbus.Create");
        request.Headers.TryAddWithoutValidation("User-Agent", "not-signed/1.0");
        string payloadHash = SigV4Signer.HashPayload("{}"u8);

        SigV4Signer.Sign(request, Credentials with { SessionToken = "token/+=" }, "local", "nimbus", SuiteTime, payloadHash);

        string expected = ReferenceSigV4.Signature(
            Credentials.SecretAccessKey,
            "20150830T123600Z",
            "local",
            "nimbus",
            "POST\n/v1/things\na=1&b=2\n"
            + "content-type:application/json; charset=utf-8\nhost:localhost:8080\n"
            + "x-amz-content-sha256:" + payloadHash + "\nx-amz-date:20150830T123600Z\n"
            + "x-amz-security-token:token/+=\nx-amz-target:Nimbus.Create\n\n"
            + "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target\n" + payloadHash);
        request.Headers.GetValues("X-Amz-Security-Token").ShouldBe(["token/+="]);
        request.Headers.GetValues("Authorization").Single().ShouldEndWith(
            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=" + expected);
    }

    [Fact]
    public void Sign_twice_replaces_the_previous_signature()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");

        SigV4Signer.Sign(request, Credentials, "us-east-1", "service", SuiteTime, SigV4Signer.EmptyPayloadHash);
        SigV4Signer.Sign(request, Credentials, "us-east-1", "service", SuiteTime.AddMinutes(1), SigV4Signer.EmptyPayloadHash);

        request.Headers.GetValues("X-Amz-Date").ShouldBe(["20150830T123700Z"]);
        request.Headers.GetValues("Authorization").Count().ShouldBe(1);
    }

    [Fact]
    public void HashPayload_is_lowercase_hex_sha256()
    {
        SigV4Signer.HashPayload([]).ShouldBe(SigV4Signer.EmptyPayloadHash);
        SigV4Signer.HashPayload("Param1=value1"u8).ShouldBe("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    }

    [Fact]
    public void Presign_adds_the_query_parameters_in_order()
    {
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get,
            new Uri("https://example.amazonaws.com/bucket/key?versionId=1"),
            Credentials with { SessionToken = "tok en" },
            "us-east-1",
            "s3",
            SuiteTime,
            TimeSpan.FromHours(1));

        presigned.Query.ShouldStartWith(
            "?versionId=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%20en&X-Amz-Signature=");
        string expected = ReferenceSigV4.Signature(
            Credentials.SecretAccessKey,
            "20150830T123600Z",
            "us-east-1",
            "s3",
            "GET\n/bucket/key\n"
            + "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-Token=tok%20en&X-Amz-SignedHeaders=host&versionId=1\n"
            + "host:example.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
        presigned.Query.ShouldEndWith("&X-Amz-Signature=" + expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(604801)]
    public void Presign_refuses_an_expiry_outside_one_second_to_seven_days(int seconds)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SigV4Signer.Presign(
            HttpMethod.Get, new Uri("https://example.com/"), Credentials, "local", "nimbus", SuiteTime, TimeSpan.FromSeconds(seconds)));
    }
}
