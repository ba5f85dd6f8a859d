using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Outbox;

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>How long a row handed to a job stays out of the sweep before it counts as lost.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows the sweep hands out per run.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>Attempts before a row that keeps failing is dead-lettered (about two hours with the default backoff).</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Ceiling of the retry backoff.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);
}
