namespace ClientFlow.Bench;

/// <summary>Latencies of one load: throughput, percentiles, and the process's CPU time while it ran.</summary>
public sealed record Stats(int Count, TimeSpan Elapsed, double P50Ms, double P99Ms, TimeSpan Cpu)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;

    public TimeSpan CpuPerRequest => Cpu / Count;

    public static Stats Of(IReadOnlyCollection<double> latenciesMs, TimeSpan elapsed, TimeSpan cpu)
    {
        var sorted = latenciesMs.Order().ToArray();
        return new Stats(sorted.Length, elapsed, Percentile(sorted, 0.50), Percentile(sorted, 0.99), cpu);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
