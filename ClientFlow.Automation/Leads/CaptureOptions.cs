namespace ClientFlow.Automation.Leads;

/// <summary><c>Capture:Policy</c> and the rate limits of the hosted form and the capture API.</summary>
public sealed class CaptureOptions
{
    public const string SectionName = "Capture";

    public CapturePolicy Policy { get; set; } = CapturePolicy.Shared;

    /// <summary>Form submissions accepted per client address per minute.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int FormSubmissionsPerMinute { get; set; } = 10;

    /// <summary>Capture API requests accepted per IB per minute (429 with <c>Retry-After</c> beyond).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int ApiRequestsPerMinute { get; set; } = 600;
}
