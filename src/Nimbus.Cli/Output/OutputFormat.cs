namespace Nimbus.Cli.Output;

/// <summary>How results are printed on stdout.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
}
