namespace Nimbus.Sdk.Demo;

/// <summary>The built-in demo service (<c>/v1/demo</c>).</summary>
public sealed class DemoClient
{
    internal DemoClient(NimbusClient client)
    {
        Widgets = new WidgetsClient(client);
    }

    /// <summary>Widgets: the example resource kind.</summary>
    public WidgetsClient Widgets { get; }
}
