namespace ClientFlow.Automation.Email;

/// <summary>The Development default: the stored message is the delivery; /Outbox shows it and its tracking links.</summary>
public sealed class OutboxEmailChannel : IEmailChannel
{
    public bool IsExternal => false;

    public Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
}
