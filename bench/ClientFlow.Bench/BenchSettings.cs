namespace ClientFlow.Bench;

/// <summary>Sizes and targets of one run: <c>--smoke</c> for CI (small, minutes), otherwise the full run.</summary>
public sealed record BenchSettings(bool Smoke, int Concurrency, int WebhookEvents, int Captures, int Waits)
{
    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        return smoke
            ? new BenchSettings(Smoke: true, Concurrency: 8, WebhookEvents: 400, Captures: 200, Waits: 60)
            : new BenchSettings(Smoke: false, Concurrency: 16, WebhookEvents: 10_000, Captures: 3_000, Waits: 1_000);
    }
}
