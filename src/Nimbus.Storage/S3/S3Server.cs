using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Audit;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Iam.Authentication;

namespace Nimbus.Storage.S3;

/// <summary>
/// The S3 protocol door: its own pipeline on its own port (no routing, no problem+json, no body buffering):
/// request id → parse the raw target → authenticate (SigV4 for service <c>s3</c>, or anonymous) → dispatch
/// on method, path and query → the handler authorizes and streams → errors as S3 XML → audit.
/// </summary>
public sealed partial class S3Server
{
    private readonly S3Services _services;
    private readonly SigV4Authenticator _authenticator;
    private readonly SigV4Verifier _verifier;
    private readonly AuditTrail _audit;
    private readonly ILogger _logger;

    // Requests being handled (to leave a lone write on the socket's thread; see HandleAsync).
    private int _inFlight;

    internal S3Server(S3Services services, SigV4Authenticator authenticator, AuditTrail audit, ILogger<S3Server> logger)
    {
        _services = services;
        _authenticator = authenticator;
        _audit = audit;
        _logger = logger;
        _verifier = new SigV4Verifier(new SigV4VerifierOptions
        {
            Service = "s3",
            Region = services.Options.Region,
            S3Mode = true,
            MaxClockSkew = services.Options.MaxClockSkew,
            TimeProvider = services.Time,
        });
    }

    public async Task HandleAsync(HttpContext http)
    {
        var started = _services.Time.GetUtcNow();
        var requestId = ResourceIds.NewRequestId();
        http.TraceIdentifier = requestId;
        http.Response.Headers["x-amz-request-id"] = requestId;
        http.Response.Headers["x-amz-id-2"] = requestId;
        http.Response.Headers.Server = "Nimbus";
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // 5 GiB single PUT as in S3; aws-chunked framing adds a little on top.
            limit.MaxRequestBodySize = _services.Options.MaxObjectSize + (64 * 1024 * 1024);
        }

        var audit = new S3AuditRecord(_audit, http, started);
        http.Response.OnStarting(static state => ((S3AuditRecord)state).RecordAsync(), audit);
        http.Response.OnCompleted(static state => ((S3AuditRecord)state).RecordAsync(), audit);
        S3Context? s3 = null;
        var alone = Interlocked.Increment(ref _inFlight) == 1;
        try
        {
            var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Request.Path + http.Request.QueryString).ToString();
            var request = S3Request.Parse(target, http.Request.Headers.Host.ToString(), _services.Options.Domain);
            s3 = new S3Context(http, request, _services);
            audit.Context = s3;
            if (!alone && (request.KeyBytes is null || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))))
            {
                // The server schedules requests inline on the socket's thread (NimbusHost): an object GET or HEAD
                // stays there, everything else (listings, writes, index commits) moves to the thread pool first so
                // that it cannot hold up the other connections of that thread. A request alone has no other to hold
                // up, and the hop to a sleeping pool thread cost a lone 1 MiB PUT about 200 µs.
                await Task.Yield();
            }

            if (HttpMethods.IsOptions(http.Request.Method))
            {
                // A CORS preflight: browsers send it without credentials; the bucket's CORS rules decide.
                await CorsHandler.PreflightAsync(s3).ConfigureAwait(false);
                return;
            }

            await CorsHandler.ApplyAsync(s3).ConfigureAwait(false);
            await AuthenticateAsync(s3).ConfigureAwait(false);
            await S3Dispatcher.DispatchAsync(s3).ConfigureAwait(false);
        }
        catch (ErrorAlreadySentException sent)
        {
            // The error document went out under a 200 that had started (keep-alive): the response is complete.
            audit.Failure = sent.InnerException;
            if (Translate(sent.InnerException!, s3).Status >= 500)
            {
                LogServerError(sent.InnerException!, http.TraceIdentifier, http.Request.Method, s3?.Request.Resource ?? "?");
            }
        }
        catch (Exception ex)
        {
            audit.Failure = ex;
            await FailAsync(http, s3, ex).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AuthenticateAsync(S3Context s3)
    {
        var headers = s3.Http.Request.Headers;
        var authorization = headers.Authorization.ToString();
        var presigned = s3.Request.Has("X-Amz-Algorithm") || s3.Request.Has("X-Amz-Signature") || s3.Request.Has("X-Amz-Credential");
        if (authorization.Length == 0 && !presigned)
        {
            if (s3.Request.Has("Signature") && s3.Request.Has("AWSAccessKeyId"))
            {
                throw new NimbusException("AccessDenied", 403, "Signature Version 2 presigned URLs are not supported; presign with Signature Version 4.");
            }

            return;
        }

        if (authorization.StartsWith("AWS ", StringComparison.Ordinal))
        {
            throw new NimbusException("InvalidRequest", 400, "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256 (Signature Version 4).");
        }

        var request = new SigV4Request
        {
            Method = s3.Method,

            // The parser's split of the raw target: the same strings, not two more copies of them.
            RawPath = s3.Request.RawPath,
            RawQuery = s3.Request.RawQuery,
            Headers = new HeaderDictionarySource(headers),
            PayloadHash = null,
        };
        var origin = new RequestOrigin(s3.Http.TraceIdentifier, s3.Http.Connection.RemoteIpAddress, s3.Http.Request.IsHttps);
        var authenticated = await _authenticator.AuthenticateAsync(_verifier, request, origin, s3.Aborted).ConfigureAwait(false);
        s3.Caller = authenticated.Caller;
        s3.Authentication = authenticated.Result;
    }

    private async Task FailAsync(HttpContext http, S3Context? s3, Exception exception)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var (code, status, message) = Translate(exception, s3);
        if (status >= 500)
        {
            LogServerError(exception, http.TraceIdentifier, http.Request.Method, s3?.Request.Resource ?? "?");
        }

        if (http.Response.HasStarted)
        {
            // Part of the body went out: cutting the connection is the only way left to say it is wrong.
            http.Abort();
            return;
        }

        http.Response.Clear();
        http.Response.Headers["x-amz-request-id"] = http.TraceIdentifier;
        http.Response.Headers["x-amz-id-2"] = http.TraceIdentifier;
        if (s3?.CorsHeaders is { } cors)
        {
            CorsHandler.Write(http.Response, cors);
        }

        if (exception is NimbusException { Headers.Count: > 0 } withHeaders)
        {
            foreach (var (name, value) in withHeaders.Headers)
            {
                http.Response.Headers[name] = value;
            }
        }

        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.StatusCode = status;
            http.Response.Headers["x-amz-error-code"] = code;
            return;
        }

        using var xml = new S3Xml("Error", withNamespace: false);
        xml.Element("Code", code).Element("Message", message);
        if (s3 is not null)
        {
            xml.Element("Resource", s3.Request.Resource);
            if (s3.Request.Bucket is not null)
            {
                xml.Element("BucketName", s3.Request.Bucket);
            }

            if (s3.Request.Key is not null)
            {
                xml.Element("Key", s3.Request.Key);
            }
        }

        if (status == 400 && s3 is not null && exception is SigV4AuthenticationException { Result.ScopeRegion: not null })
        {
            xml.Element("Region", s3.Services.Options.Region);
        }

        if (exception is SigV4AuthenticationException { Result: { CanonicalRequest: { } canonical, StringToSign: { } toSign } result })
        {
            xml.Element("AWSAccessKeyId", result.AccessKeyId).Element("StringToSign", toSign).Element("CanonicalRequest", canonical);
        }

        xml.Element("RequestId", http.TraceIdentifier).Element("HostId", http.TraceIdentifier);
        await xml.SendAsync(http.Response, status).ConfigureAwait(false);
    }

    /// <summary>The S3 code, status and message of a failure; platform codes become the S3 codes clients know.</summary>
    internal static (string Code, int Status, string Message) Translate(Exception exception, S3Context? s3) => exception switch
    {
        NimbusException nimbus => nimbus.Code switch
        {
            ErrorCodes.MissingAuthentication => ("AccessDenied", 403, nimbus.Message),
            ErrorCodes.IncompleteSignature => (MalformedAuthorization(s3), 400, nimbus.Message),
            // Signed for another region: S3's 400 naming the right one (clients such as botocore retry in it), not a
            // signature mismatch that leaves the user guessing.
            ErrorCodes.SignatureDoesNotMatch when s3 is not null && nimbus is SigV4AuthenticationException { Result.ScopeRegion: { } signed } =>
                (MalformedAuthorization(s3), 400,
                    $"The authorization header is malformed; the region '{signed}' is wrong; expecting '{s3.Services.Options.Region}'"),
            // A presigned URL whose X-Amz-Expires is outside 1 s to 7 days is malformed in S3 (400), not expired.
            ErrorCodes.RequestExpired when nimbus is SigV4AuthenticationException { Result.ExpiresOutOfRange: true } =>
                ("AuthorizationQueryParametersError", 400, nimbus.Message),
            ErrorCodes.RequestExpired => Presigned(s3) ? ("AccessDenied", 403, "Request has expired: " + nimbus.Message) : ("RequestTimeTooSkewed", 403, nimbus.Message),
            ErrorCodes.ExpiredToken => ("ExpiredToken", 400, nimbus.Message),
            ErrorCodes.InvalidParameter => ("InvalidArgument", 400, nimbus.Message),
            ErrorCodes.MalformedRequest => ("InvalidRequest", 400, nimbus.Message),
            ErrorCodes.RequestTooLarge => ("EntityTooLarge", 400, nimbus.Message),
            ErrorCodes.Throttled => ("SlowDown", 503, nimbus.Message),
            ErrorCodes.NotFound => ("NoSuchKey", 404, nimbus.Message),
            // S3's own answer to an account at its bucket limit; the platform's quota message names the limit.
            ErrorCodes.QuotaExceeded when nimbus.Quota?.Code == StorageQuotas.Buckets.Code => ("TooManyBuckets", 400, nimbus.Message),
            ErrorCodes.VersionConflict or ErrorCodes.Conflict => ("OperationAborted", 409, "A conflicting conditional operation is currently in progress against this resource. Please try again."),
            _ => (nimbus.Code, nimbus.Status, nimbus.Message),
        },
        S3PayloadException payload => (payload.Code, payload.StatusCode, payload.Message),
        BadHttpRequestException { StatusCode: 413 } => ("EntityTooLarge", 400, "The request body is larger than the largest object allowed."),
        BadHttpRequestException bad => ("IncompleteBody", 400, bad.Message),
        System.Xml.XmlException xml => ("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema: " + xml.Message),
        _ => ("InternalError", 500, "We encountered an internal error. Please try again."),
    };

    /// <summary>Whether the request is signed in its query (a presigned URL) rather than in its Authorization header.</summary>
    private static bool Presigned(S3Context? s3) => s3?.Request.Has("X-Amz-Algorithm") == true;

    /// <summary>S3's code for a malformed signature: of the query for a presigned URL, else of the header.</summary>
    private static string MalformedAuthorization(S3Context? s3) => Presigned(s3) ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";

    [LoggerMessage(EventId = 7100, Level = LogLevel.Error, Message = "S3 request {RequestId} {Method} {Resource} failed")]
    private partial void LogServerError(Exception ex, string requestId, string method, string resource);
}

/// <summary>The audit record of one S3 request, queued once: when the response starts, or when it completes without one.</summary>
internal sealed class S3AuditRecord(AuditTrail trail, HttpContext http, DateTimeOffset time)
{
    private int _recorded;

    public S3Context? Context { get; set; }

    public Exception? Failure { get; set; }

    public Task RecordAsync()
    {
        if (Interlocked.Exchange(ref _recorded, 1) != 0)
        {
            return Task.CompletedTask;
        }

        var status = http.Response.StatusCode;
        var caller = Context?.Caller;
        string? errorCode = status >= 400 ? (Failure is null ? null : S3Server.Translate(Failure, Context).Code) : null;
        var userAgent = http.Request.Headers.UserAgent.ToString();
        var address = http.Connection.RemoteIpAddress;
        var record = new AuditEvent
        {
            Time = time,
            RequestId = http.TraceIdentifier,
            Account = caller?.Account,
            Principal = caller?.Principal ?? (Context is not null && Failure is null ? "anonymous" : null),
            UserName = caller?.UserName,
            SessionName = caller?.SessionName,
            AccessKeyId = caller?.AccessKeyId ?? (Failure as SigV4AuthenticationException)?.Result.AccessKeyId,
            SourceIp = address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(),
            UserAgent = userAgent.Length == 0 ? null : userAgent.Length > 512 ? userAgent[..512] : userAgent,
            Method = http.Request.Method,
            Path = Context?.Request.Resource ?? http.Request.Path.Value ?? "/",
            Action = Context?.Action,
            Resources = Context?.Resources ?? [],
            Outcome = status < 400 ? AuditOutcomes.Allowed : status is 401 or 403 && errorCode != "InvalidObjectState" ? AuditOutcomes.Denied : AuditOutcomes.Error,
            Status = status,
            ErrorCode = errorCode,
        };
        return trail.RecordAsync(record).AsTask();
    }
}
