using System.ComponentModel.DataAnnotations;

namespace ClientFlow.Automation.Webhooks;

public sealed class InboxOptions
{
    public const string SectionName = "Inbox";

    /// <summary>Attempts before an event that keeps failing is dead-lettered for an admin to retry.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 10;
}
