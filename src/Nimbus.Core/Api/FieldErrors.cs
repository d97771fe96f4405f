using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Core.Api;

/// <summary>Collects every validation failure of a request so that all are reported at once.</summary>
public sealed class FieldErrors
{
    private readonly List<FieldErrorDto> _errors = [];

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        _errors.Add(new FieldErrorDto { Field = field, Message = message });
        return this;
    }

    /// <summary>Throws a 400 <c>InvalidParameter</c> listing every failure, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            var summary = _errors.Count == 1 ? _errors[0].Field + ": " + _errors[0].Message : $"{_errors.Count} fields are invalid.";
            throw NimbusException.Invalid(summary, [.. _errors]);
        }
    }
}
