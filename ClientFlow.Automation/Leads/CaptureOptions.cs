namespace ClientFlow.Automation.Leads;

/// <summary><c>Capture:Policy</c> and the hosted form's rate limit.</summary>
public sealed class CaptureOptions
{
    public const string SectionName = "Capture";

    public CapturePolicy Policy { get; set; } = CapturePolicy.Shared;

    /// <summary>Form submissions accepted per client address per minute.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int FormSubmissionsPerMinute { get; set; } = 10;
}
