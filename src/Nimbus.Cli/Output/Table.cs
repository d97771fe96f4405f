namespace Nimbus.Cli.Output;

/// <summary>Rows of text printed as left-aligned columns separated by two spaces, headers first.</summary>
internal sealed class Table
{
    private const string Separator = "  ";
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers)
    {
        _headers = headers;
    }

    public int RowCount => _rows.Count;

    public Table AddRow(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells.Select(Clean).ToArray());
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in _rows.Prepend(_headers))
        {
            var line = new System.Text.StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(Separator);
                }

                // The last column is not padded, so lines carry no trailing blanks.
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    // One row is one line: a message with a newline or tab would break the columns.
    private static string Clean(string? cell) =>
        string.IsNullOrEmpty(cell) ? "-" : cell.ReplaceLineEndings(" ").Replace('\t', ' ');
}
