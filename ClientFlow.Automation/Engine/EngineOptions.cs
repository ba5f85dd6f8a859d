using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Engine;

public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>How long a run handed to a job is left alone before the sweep counts the job as lost.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How late a waiting run may be before the sweep wakes it itself (its wake fires on time).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs the sweep hands out per pass.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 500;
}
