using System.Globalization;

namespace ClientFlow.Bench;

/// <summary>The harness's output: one line a figure, beside its baseline (measured the same way on the same machine) and its target.</summary>
public sealed class Report
{
    private readonly List<(string Figure, string Value, string Baseline, string Target, bool? Met)> _rows = [];

    public void Add(string figure, string value, string baseline, string target, bool? met) => _rows.Add((figure, value, baseline, target, met));

    public int Missed => _rows.Count(r => r.Met == false);

    public void Print(TextWriter output, string title)
    {
        output.WriteLine(title);
        var widths = new[]
        {
            Math.Max("figure".Length, _rows.Max(r => r.Figure.Length)),
            Math.Max("value".Length, _rows.Max(r => r.Value.Length)),
            Math.Max("baseline".Length, _rows.Max(r => r.Baseline.Length)),
            Math.Max("target".Length, _rows.Max(r => r.Target.Length)),
        };
        output.WriteLine(Line("figure", "value", "baseline", "target", "met"));
        output.WriteLine(new string('-', widths.Sum() + 16));
        foreach (var row in _rows)
        {
            output.WriteLine(Line(row.Figure, row.Value, row.Baseline, row.Target, row.Met switch { true => "yes", false => "NO", null => "-" }));
        }

        string Line(string a, string b, string c, string d, string e) =>
            string.Create(CultureInfo.InvariantCulture, $"{a.PadRight(widths[0])} | {b.PadLeft(widths[1])} | {c.PadLeft(widths[2])} | {d.PadRight(widths[3])} | {e}");
    }
}
