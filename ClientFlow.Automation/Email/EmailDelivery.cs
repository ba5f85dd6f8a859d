using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Delivers one queued <see cref="EmailMessage"/> (an outbox row of kind EmailDelivery) for the worker
/// whose <see cref="OutboundClaim"/> holds the row. Nothing goes to an unsubscribed lead, nor to an address on the
/// platform's suppression list (<see cref="Suppressions"/>), which a recipient refused for good at send time joins.
/// <para>
/// An external channel is fenced: a conditional update moves the message from Pending to
/// <see cref="EmailStatus.Sending"/> with the claim as its owner before the I/O, and only that owner moves
/// it to Sent (or back to Pending on a refusal the server answered). A message found Sending under a fence
/// that has lapsed belonged to a worker that died mid-delivery: it is marked
/// <see cref="EmailStatus.Unconfirmed"/>, never sent again by itself (an admin can send it again).
/// </para>
/// <para>
/// Bookkeeping after a send (the lead moves from New to Nurturing and gets <c>email-sent</c>) is a step of
/// its own: it runs again on every retry of a sent message, settles a clash with another send to the same
/// lead by looking again, and never turns a sent message into anything else.
/// </para>
/// </summary>
public sealed partial class EmailDelivery(
    ClientFlowDbContext db,
    IEmailChannel channel,
    LeadTagging tagging,
    SendingGate sending,
    Suppressions suppressions,
    AfterCommit afterCommit,
    TimeProvider clock,
    ILogger<EmailDelivery> logger)
{
    public const string SentTag = "email-sent";

    /// <summary>How often the bookkeeping looks again after losing a unique-key race to another send.</summary>
    private const int BookkeepingPasses = 3;

    public async Task DeliverAsync(OutboundOperation operation, OutboundClaim claim, CancellationToken cancellationToken)
    {
        var message = await db.EmailMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == operation.EmailMessageId, cancellationToken);
        switch (message?.Status)
        {
            case null or EmailStatus.Suppressed or EmailStatus.Failed or EmailStatus.Unconfirmed:
                return;
            case EmailStatus.Sent:
                // Sent, but the bookkeeping did not commit (a crash, a clash): only the bookkeeping runs again.
                await RecordSentAsync(message, cancellationToken);
                return;
            case EmailStatus.Sending:
                await DeclareUnconfirmedAsync(message, claim, cancellationToken);
                return;
        }

        if (message.Kind == EmailKind.Workflow && message.LeadId is { } leadId
            && await db.Leads.AnyAsync(l => l.Id == leadId && l.Status == LeadStatus.Unsubscribed, cancellationToken))
        {
            await db.EmailMessages.Where(m => m.Id == message.Id && m.Status == EmailStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Suppressed).SetProperty(m => m.LastError, "The lead unsubscribed before delivery."), cancellationToken);
            return;
        }

        if (await suppressions.FindAsync(message.To, cancellationToken) is { } suppressed)
        {
            await db.EmailMessages.Where(m => m.Id == message.Id && m.Status == EmailStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Suppressed).SetProperty(m => m.LastError, Suppressions.Describe(suppressed)), cancellationToken);
            return;
        }

        if (message.Kind == EmailKind.Workflow && !await sending.HasPostalAddressAsync(operation.TenantId, cancellationToken))
        {
            // Held, not failed: the outbox tries again with its backoff, and the email goes once the address is set.
            var held = $"Held: {SendingGate.NoPostalAddress}";
            await db.EmailMessages.Where(m => m.Id == message.Id && m.Status == EmailStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastError, held), cancellationToken);
            throw new OutboundException(transient: true, held);
        }

        if (!channel.IsExternal)
        {
            // Nothing leaves the process: the channel's own changes (a Systeme.io tag) and Sent commit together.
            await channel.DeliverAsync(message, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Flush();
            await MarkSentAsync(message.Id, claim.Owner, cancellationToken);
            await RecordSentAsync(message, cancellationToken);
            return;
        }

        var fenced = await db.EmailMessages.Where(m => m.Id == message.Id && m.Status == EmailStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Sending).SetProperty(m => m.SendingOwner, claim.Owner).SetProperty(m => m.SendingUntil, claim.Until), cancellationToken);
        if (fenced == 0)
        {
            throw new OutboundException(transient: true, "The message changed while it was being claimed; looking again.");
        }

        try
        {
            await channel.DeliverAsync(message, cancellationToken);
        }
        catch (OutboundException ex)
        {
            if (ex.RecipientRefused)
            {
                // A mailbox that does not exist: no IB's mail goes to it again.
                await suppressions.AddAsync(message.To, SuppressionReason.HardBounce, ex.Message, CancellationToken.None);
            }

            // The server answered with a refusal, so the message did not go out: the fence can be lifted.
            await db.EmailMessages.Where(m => m.Id == message.Id && m.Status == EmailStatus.Sending && m.SendingOwner == claim.Owner)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, ex.IsTransient ? EmailStatus.Pending : EmailStatus.Failed)
                        .SetProperty(m => m.LastError, ex.Message)
                        .SetProperty(m => m.SendingOwner, (Guid?)null)
                        .SetProperty(m => m.SendingUntil, (DateTimeOffset?)null),
                    CancellationToken.None);
            throw;
        }

        await MarkSentAsync(message.Id, claim.Owner, CancellationToken.None);
        await RecordSentAsync(message, cancellationToken);
    }

    /// <summary>
    /// The server took the message. Sent is the truth from now on: it replaces the owner's own fence, and also an
    /// Unconfirmed that another worker declared after this one's fence lapsed mid-send.
    /// </summary>
    private async Task MarkSentAsync(Guid messageId, Guid owner, CancellationToken cancellationToken)
    {
        var sentAt = clock.GetUtcNow();
        await db.EmailMessages
            .Where(m => m.Id == messageId && (m.Status == EmailStatus.Pending || (m.Status == EmailStatus.Sending && m.SendingOwner == owner) || m.Status == EmailStatus.Unconfirmed))
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Status, EmailStatus.Sent)
                    .SetProperty(m => m.SentAt, sentAt)
                    .SetProperty(m => m.LastError, (string?)null)
                    .SetProperty(m => m.SendingOwner, (Guid?)null)
                    .SetProperty(m => m.SendingUntil, (DateTimeOffset?)null),
                cancellationToken);
    }

    /// <summary>A fence still held by a live owner is left alone; one that lapsed means its worker died mid-delivery.</summary>
    private async Task DeclareUnconfirmedAsync(EmailMessage message, OutboundClaim claim, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var declared = await db.EmailMessages
            .Where(m => m.Id == message.Id && m.Status == EmailStatus.Sending && (m.SendingOwner == claim.Owner || m.SendingOwner == null || m.SendingUntil <= now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Status, EmailStatus.Unconfirmed)
                    .SetProperty(m => m.LastError, "The worker stopped while the mail server had this message; it is not sent again by itself, to avoid a duplicate. An admin can send it again from /Admin/DeadLetters."),
                cancellationToken);
        if (declared == 0)
        {
            throw new OutboundException(transient: true, "Another worker is still delivering this message.");
        }

        LogUnconfirmed(message.Id, message.SendingOwner);
    }

    /// <summary>The lead moves from New to Nurturing and gets <c>email-sent</c>; idempotent, and a clash with another send looks again.</summary>
    private async Task RecordSentAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != EmailKind.Workflow || message.LeadId is not { } leadId)
        {
            return;
        }

        for (var pass = 1; ; pass++)
        {
            db.ChangeTracker.Clear();
            var lead = await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
            if (lead is null)
            {
                return;
            }

            if (lead.Status == LeadStatus.New)
            {
                lead.Status = LeadStatus.Nurturing;
            }

            await tagging.AddAsync(lead, [SentTag], cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                afterCommit.Flush();
                return;
            }
            catch (DbUpdateException ex) when (pass < BookkeepingPasses && db.IsLostRace(ex))
            {
                // Another send to this lead added the tag (or enrolled the same run) first: look again.
                afterCommit.Discard();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {MessageId}: the worker {Owner} stopped mid-delivery; marked unconfirmed, not sent again")]
    private partial void LogUnconfirmed(Guid messageId, Guid? owner);
}
