using Nimbus.Cli.Output;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Cli;

public sealed class TableTests
{
    [Fact]
    public void Columns_are_padded_to_the_widest_cell_and_lines_have_no_trailing_blanks()
    {
        var table = new Table("A", "LONG HEADER", "C").AddRow("xxxx", "y", null).AddRow("z", "multi\nline", "last");
        var writer = new StringWriter { NewLine = "\n" };

        table.WriteTo(writer);

        writer.ToString().ShouldBe("A     LONG HEADER  C\nxxxx  y            -\nz     multi line   last\n");
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_a_bug()
    {
        Should.Throw<ArgumentException>(() => new Table("A", "B").AddRow("1"));
    }
}
