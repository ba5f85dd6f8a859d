using System.Globalization;

namespace ClientFlow.Bench;

/// <summary>
/// Sizes of one run: <c>--smoke</c> for CI (small, a minute or two), otherwise the full run; <c>--only engine</c> (or
/// ingest, capture, import, waits, pages, or several with commas) measures only those figures; <c>--rows N</c> sizes the CSV import and <c>--leads N</c> the leads of each IB behind the page figures.
/// </summary>
public sealed record BenchSettings(bool Smoke, int Concurrency, int WebhookEvents, int Captures, int Waits, int DueRuns, int ImportRows, int LeadsPerIb, int PageRequests)
{
    public string? Only { get; init; }

    /// <summary>A PostgreSQL superuser's connection string (<c>--postgres</c>): the run creates its own database and roles there.</summary>
    public string? Postgres { get; init; }

    public bool Runs(string section) => Only is null || Only.Split(',').Contains(section, StringComparer.OrdinalIgnoreCase);

    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var settings = args.Contains("--smoke")
            ? new BenchSettings(Smoke: true, Concurrency: 8, WebhookEvents: 400, Captures: 200, Waits: 60, DueRuns: 60, ImportRows: 1_000, LeadsPerIb: 1_000, PageRequests: 20)
            : new BenchSettings(Smoke: false, Concurrency: 16, WebhookEvents: 10_000, Captures: 3_000, Waits: 1_000, DueRuns: 5_000, ImportRows: 100_000, LeadsPerIb: 100_000, PageRequests: 100);
        var rows = Option(args, "--rows");
        var leads = Option(args, "--leads");
        return settings with
        {
            Only = Option(args, "--only"),
            Postgres = Option(args, "--postgres"),
            ImportRows = rows is null ? settings.ImportRows : int.Parse(rows, CultureInfo.InvariantCulture),
            LeadsPerIb = leads is null ? settings.LeadsPerIb : int.Parse(leads, CultureInfo.InvariantCulture),
        };
    }

    private static string? Option(IReadOnlyList<string> args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
