using System.Diagnostics;
using System.Globalization;

namespace Nimbus.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr, redrawn in place at most ten times a second; drawn only when stderr is a
/// terminal, so logs and pipes never see carriage returns.
/// </summary>
internal sealed class TransferProgress : IProgress<long>
{
    private const int BarWidth = 24;
    private static readonly long RedrawTicks = Stopwatch.Frequency / 10;

    private readonly TextWriter _stderr;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _lastDraw = -RedrawTicks;
    private bool _drawn;

    private TransferProgress(TextWriter stderr, string label, long total)
    {
        _stderr = stderr;
        _label = label;
        _total = total;
    }

    /// <summary>A progress bar for a transfer of <paramref name="total"/> bytes, or null when stderr is not a terminal.</summary>
    public static TransferProgress? Start(CliContext context, string label, long total) =>
        context.Host.StderrIsTerminal ? new TransferProgress(context.Stderr, label, total) : null;

    public void Report(long value)
    {
        lock (_gate)
        {
            var now = _clock.ElapsedTicks;
            if (now - _lastDraw < RedrawTicks && value < _total)
            {
                return;
            }

            _lastDraw = now;
            _drawn = true;
            _stderr.Write("\r" + Line(value, _clock.Elapsed.TotalSeconds) + "\u001b[K");
            _stderr.Flush();
        }
    }

    /// <summary>Ends the bar's line, so what follows starts on a fresh one.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_drawn)
            {
                _stderr.Write("\r\u001b[K");
                _stderr.Flush();
            }
        }
    }

    internal string Line(long done, double seconds)
    {
        var fraction = _total <= 0 ? 1.0 : Math.Clamp((double)done / _total, 0, 1);
        var filled = (int)Math.Round(fraction * BarWidth);
        var rate = seconds > 0 ? done / seconds : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{_label} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {Size(done)} / {Size(_total)} {fraction * 100,3:0}% {Size((long)rate)}/s");
    }

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
