namespace Nimbus.Contracts.Demo;

/// <summary>
/// Desired state of a widget: the platform's built-in example kind. Its controller
/// materializes each widget as a file under <c>&lt;data-dir&gt;/widgets/</c> and removes it
/// on delete, which proves the reconcile loop end to end on every installation.
/// </summary>
public sealed record WidgetSpec
{
    /// <summary>Required. Text written to the widget's file; 1 to 4096 characters.</summary>
    public string Message { get; init; } = "";

    /// <summary>Optional. How many times the message is repeated in the file; 1 to 100; null means 1.</summary>
    public int? Copies { get; init; }
}

/// <summary>Body of <c>POST /v1/demo/widgets</c>.</summary>
public sealed record CreateWidgetRequest
{
    /// <summary>Required. 1 to 128 characters of letters, digits, '.', '_' and '-'; unique in the account.</summary>
    public string Name { get; init; } = "";

    /// <summary>Optional tags (at most 50; key 1 to 128 characters, value up to 256).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Required. The widget's desired state.</summary>
    public WidgetSpec? Spec { get; init; }
}

/// <summary>Body of <c>PUT /v1/demo/widgets/{id}</c>: replaces spec and tags.</summary>
public sealed record UpdateWidgetRequest
{
    /// <summary>Required. The version the caller read; a stale version is a 409 <c>VersionConflict</c>.</summary>
    public long Version { get; init; }

    /// <summary>Optional. New tags; null keeps the current ones.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Required. New desired state.</summary>
    public WidgetSpec? Spec { get; init; }
}
