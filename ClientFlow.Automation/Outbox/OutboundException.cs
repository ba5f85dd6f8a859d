namespace ClientFlow.Automation.Outbox;

/// <summary>An outbox delivery that failed: transient ones are retried with backoff, the rest are marked failed with the reason.</summary>
public sealed class OutboundException(bool transient, string message) : Exception(message)
{
    public bool IsTransient { get; } = transient;

    /// <summary>The mail server refused the recipient for good (a mailbox that does not exist): a hard bounce.</summary>
    public bool RecipientRefused { get; init; }
}
