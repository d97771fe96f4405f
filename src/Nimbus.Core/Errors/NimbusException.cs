using Nimbus.Contracts.Errors;

namespace Nimbus.Core.Errors;

/// <summary>
/// A failure with a stable <see cref="Code"/> and HTTP status. Thrown for failures a user
/// can cause (mapped to problem+json at the edge) and for infrastructure faults
/// (<see cref="IsTransient"/> tells whether retrying may help, as in Npgsql).
/// </summary>
public class NimbusException : Exception
{
    public NimbusException(string code, int status, string message, bool isTransient = false, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Status = status;
        IsTransient = isTransient;
    }

    public string Code { get; }

    public int Status { get; }

    public bool IsTransient { get; }

    /// <summary>Field-level validation failures.</summary>
    public IReadOnlyList<FieldErrorDto> FieldErrors { get; init; } = [];

    /// <summary>For <c>QuotaExceeded</c>: the quota's figures, sent as the problem's <c>quota</c> member.</summary>
    public QuotaProblemDto? Quota { get; init; }

    /// <summary>Extra headers to send with the error (e.g. Retry-After).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static NimbusException NotFound(string what) => new(ErrorCodes.NotFound, 404, $"{what} was not found.");

    public static NimbusException AlreadyExists(string what) => new(ErrorCodes.AlreadyExists, 409, $"{what} already exists.");

    public static NimbusException VersionConflict(string id, long expected, long actual) =>
        new(ErrorCodes.VersionConflict, 409, $"Resource {id} is at version {actual}, not {expected}; read it again and retry.");

    public static NimbusException Invalid(string message, IReadOnlyList<FieldErrorDto>? fields = null) =>
        new(ErrorCodes.InvalidParameter, 400, message) { FieldErrors = fields ?? [] };

    public static NimbusException Invalid(string field, string message) =>
        Invalid(message, [new FieldErrorDto { Field = field, Message = message }]);

    public static NimbusException AccessDenied(string message) => new(ErrorCodes.AccessDenied, 403, message);

    public static NimbusException Unavailable(string message, Exception? inner = null) =>
        new(ErrorCodes.ServiceUnavailable, 503, message, isTransient: true, inner);
}
