namespace ClientFlow.Bench;

/// <summary>
/// Sizes of one run: <c>--smoke</c> for CI (small, a minute), otherwise the full run; <c>--only engine</c> (or ingest,
/// capture, waits) measures one figure.
/// </summary>
public sealed record BenchSettings(bool Smoke, int Concurrency, int WebhookEvents, int Captures, int Waits)
{
    public string? Only { get; init; }

    public bool Runs(string section) => Only is null || string.Equals(Only, section, StringComparison.OrdinalIgnoreCase);

    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        return (smoke
            ? new BenchSettings(Smoke: true, Concurrency: 8, WebhookEvents: 400, Captures: 200, Waits: 60)
            : new BenchSettings(Smoke: false, Concurrency: 16, WebhookEvents: 10_000, Captures: 3_000, Waits: 1_000)) with { Only = only };
    }
}
