namespace ClientFlow.Automation.Email;

/// <summary>How an <see cref="EmailMessage"/> leaves ClientFlow (<c>Email:Channel</c>).</summary>
public interface IEmailChannel
{
    /// <summary>
    /// True when delivery is I/O outside the database (SMTP). The message is then marked
    /// <see cref="EmailStatus.Sending"/> and committed first, so a worker that dies mid-delivery
    /// never causes a second copy.
    /// </summary>
    bool IsExternal { get; }

    /// <summary>Delivers, or throws <see cref="Outbox.OutboundException"/>. Non-external channels only change tracked rows.</summary>
    Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken);
}
