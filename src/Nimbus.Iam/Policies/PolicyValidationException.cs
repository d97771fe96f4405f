using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Iam.Policies;

/// <summary>A policy document was refused; each error carries its line and column.</summary>
public sealed class PolicyValidationException : NimbusException
{
    public PolicyValidationException(IReadOnlyList<PolicyError> errors)
        : base(ErrorCodes.InvalidParameter, 400, Describe(errors))
    {
        Errors = errors;
        FieldErrors = errors.Select(e => new FieldErrorDto { Field = "document", Message = e.ToString() }).ToArray();
    }

    public IReadOnlyList<PolicyError> Errors { get; }

    private static string Describe(IReadOnlyList<PolicyError> errors) =>
        errors.Count == 1 ? $"The policy document is invalid: {errors[0]}." : $"The policy document has {errors.Count} errors; the first: {errors[0]}.";
}
