using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// <c>GET /metrics</c> read the way Prometheus reads it: one sample per line, <c>name{label="value",...} value</c>,
/// comments (<c># TYPE</c>, <c># HELP</c>) kept in <see cref="Text"/> only.
/// </summary>
public sealed partial class PrometheusExposition
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusExposition(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var labels = new Dictionary<string, string>();
            string name, rest;
            if (brace >= 0 && brace < space)
            {
                var close = line.LastIndexOf('}');
                name = line[..brace];
                foreach (Match label in LabelPattern().Matches(line[(brace + 1)..close]))
                {
                    labels[label.Groups[1].Value] = label.Groups[2].Value;
                }

                rest = line[(close + 1)..];
            }
            else
            {
                name = line[..space];
                rest = line[space..];
            }

            _samples.Add((name, labels, ParseValue(rest.Trim().Split(' ')[0])));
        }
    }

    public string Text { get; }

    /// <summary>Scrapes with <paramref name="client"/>'s credentials and checks it is the Prometheus text format.</summary>
    public static async Task<PrometheusExposition> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusExposition(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The one series of <paramref name="name"/> carrying these labels (others may be present).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var matches = Matching(name, labels);
        Assert.True(matches.Count == 1, $"Expected one series {name} {Describe(labels)}, found {matches.Count}, in:\n{Text}");
        return matches[0];
    }

    /// <summary>A counter's value, 0 while it has never been added to (its series does not exist yet).</summary>
    public double Counter(string name, params (string Label, string Value)[] labels)
    {
        var matches = Matching(name, labels);
        Assert.True(matches.Count <= 1, $"Expected at most one series {name} {Describe(labels)}, found {matches.Count}, in:\n{Text}");
        return matches.Count == 1 ? matches[0] : 0;
    }

    private List<double> Matching(string name, (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Select(s => s.Value).ToList();

    private static string Describe((string Label, string Value)[] labels) =>
        "{" + string.Join(",", labels.Select(l => $"{l.Label}=\"{l.Value}\"")) + "}";

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPattern();
}
