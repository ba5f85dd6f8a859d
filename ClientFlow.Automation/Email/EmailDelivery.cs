using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Delivers one queued <see cref="EmailMessage"/> (an outbox row of kind EmailDelivery). Nothing
/// goes to an unsubscribed lead. An external channel is fenced: the message is committed as
/// <see cref="EmailStatus.Sending"/> before the I/O, and a message found still Sending belonged to
/// a worker that died mid-delivery, so it is marked <see cref="EmailStatus.Unconfirmed"/>, never
/// sent twice. After a send the lead gets <c>email-sent</c> and moves from New to Nurturing.
/// </summary>
public sealed class EmailDelivery(ClientFlowDbContext db, IEmailChannel channel, LeadTagging tagging, TimeProvider clock)
{
    public const string SentTag = "email-sent";

    /// <summary>Changes are saved by the caller (the outbox dispatcher), together with the row's state.</summary>
    public async Task DeliverAsync(OutboundOperation operation, CancellationToken cancellationToken)
    {
        var message = await db.EmailMessages.SingleOrDefaultAsync(m => m.Id == operation.EmailMessageId, cancellationToken);
        if (message is null || message.Status is EmailStatus.Sent or EmailStatus.Suppressed or EmailStatus.Failed or EmailStatus.Unconfirmed)
        {
            return;
        }

        if (message.Status == EmailStatus.Sending)
        {
            message.Status = EmailStatus.Unconfirmed;
            message.LastError = "The worker stopped while the mail server had this message; it is not sent again, to avoid a duplicate.";
            return;
        }

        var lead = message.LeadId is { } leadId ? await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken) : null;
        if (message.Kind == EmailKind.Workflow && lead is { Status: LeadStatus.Unsubscribed })
        {
            message.Status = EmailStatus.Suppressed;
            message.LastError = "The lead unsubscribed before delivery.";
            return;
        }

        if (channel.IsExternal)
        {
            message.Status = EmailStatus.Sending;
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            await channel.DeliverAsync(message, cancellationToken);
        }
        catch (OutboundException ex)
        {
            message.Status = ex.IsTransient ? EmailStatus.Pending : EmailStatus.Failed;
            message.LastError = ex.Message;
            throw;
        }

        message.Status = EmailStatus.Sent;
        message.SentAt = clock.GetUtcNow();
        message.LastError = null;
        if (message.Kind == EmailKind.Workflow && lead is not null)
        {
            if (lead.Status == LeadStatus.New)
            {
                lead.Status = LeadStatus.Nurturing;
            }

            await tagging.AddAsync(lead, [SentTag], cancellationToken);
        }
    }
}
