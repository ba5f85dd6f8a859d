namespace ClientFlow.Automation.Leads;

/// <summary>
/// Where a capture came from, kept as the lead's consent evidence beside what the input says (<see cref="LeadInput.Consent"/>):
/// the client's address and user agent for the hosted form, the import whose declared basis covers a CSV row.
/// </summary>
public sealed record CaptureOrigin(string? Ip = null, string? UserAgent = null, Guid? ImportId = null)
{
    public const int MaxUserAgentLength = 512;

    public static readonly CaptureOrigin None = new();
}
