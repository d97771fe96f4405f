namespace Nimbus.Contracts.Errors;

/// <summary>Stable error codes carried in problem+json <c>code</c>. Never rename one.</summary>
public static class ErrorCodes
{
    public const string InvalidParameter = "InvalidParameter";
    public const string MalformedRequest = "MalformedRequest";
    public const string RequestTooLarge = "RequestTooLarge";
    public const string UnsupportedMediaType = "UnsupportedMediaType";
    public const string NotFound = "NotFound";
    public const string RouteNotFound = "RouteNotFound";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string Conflict = "Conflict";
    public const string VersionConflict = "VersionConflict";
    public const string AlreadyExists = "AlreadyExists";
    public const string IdempotencyKeyReused = "IdempotencyKeyReused";
    public const string QuotaExceeded = "QuotaExceeded";
    public const string MissingAuthentication = "MissingAuthentication";
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    public const string RequestExpired = "RequestExpired";
    public const string IncompleteSignature = "IncompleteSignature";
    public const string ExpiredToken = "ExpiredToken";
    public const string AccessDenied = "AccessDenied";
    public const string PasswordExpired = "PasswordExpired";
    public const string Throttled = "Throttled";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string InternalError = "InternalError";
    public const string IncorrectInstanceState = "IncorrectInstanceState";
    public const string InsufficientCapacity = "InsufficientCapacity";
    public const string IpAddressExhausted = "IpAddressExhausted";
    public const string OperationNotPermitted = "OperationNotPermitted";
    public const string DependencyViolation = "DependencyViolation";
}
