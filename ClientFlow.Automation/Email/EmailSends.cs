using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Puts a composed message on its way: the message and its delivery row are added to the caller's
/// transaction (keyed by run and step when a step sends it), and the delivery job is handed over
/// after commit. The caller saves and flushes <see cref="AfterCommit"/>.
/// </summary>
public sealed class EmailSends(ClientFlowDbContext db, AfterCommit afterCommit, IOptions<OutboxOptions> outbox, TimeProvider clock)
{
    public void Add(Guid tenantId, EmailMessage message, Guid? runId = null, int? stepIndex = null)
    {
        message.RunId = runId;
        message.StepIndex = stepIndex;
        db.EmailMessages.Add(message);

        var now = clock.GetUtcNow();
        var operation = new OutboundOperation
        {
            Kind = OutboundKind.EmailDelivery,
            EmailMessageId = message.Id,
            LeadId = message.LeadId,
            RunId = runId,
            StepIndex = stepIndex,
            CreatedAt = now,
            // Leased to the job handed over after commit; the outbox sweep takes over if that job is lost.
            NextAttemptAt = now,
            LeaseUntil = now + outbox.Value.Lease,
        };
        db.OutboundOperations.Add(operation);
        afterCommit.Outbound(tenantId, operation.Id);
    }
}
