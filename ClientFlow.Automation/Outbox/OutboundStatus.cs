namespace ClientFlow.Automation.Outbox;

public enum OutboundStatus
{
    Pending,
    Done,

    /// <summary>Refused for good (a 4xx other than 429); kept with the reason, retried only by hand.</summary>
    Failed,

    /// <summary>Still failing after <see cref="OutboxOptions.MaxAttempts"/> attempts; kept with the reason for an admin to retry (/Admin/DeadLetters).</summary>
    DeadLettered,
}
