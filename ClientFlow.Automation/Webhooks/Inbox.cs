using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Stores inbound events before they are acknowledged and hands each to a job (through <see cref="InboxHandoff"/>). A redelivered message id
/// hits the unique index and is reported as a duplicate, never stored or processed twice.
/// </summary>
public sealed class Inbox(ClientFlowDbContext db, InboxHandoff handoff, ClientFlowMetrics metrics, TimeProvider clock)
{
    /// <summary>How long a claimed or handed-out event is left alone before the sweep counts its job as lost.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>True when stored; false for a message id already in the inbox.</summary>
    public async Task<bool> StoreAsync(InboundEvent inbound, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        inbound.ReceivedAt = now;
        inbound.NextAttemptAt = now + Lease;
        db.InboundEvents.Add(inbound);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
        {
            db.Entry(inbound).State = EntityState.Detached;
            metrics.RecordWebhook(inbound.Source, inbound.Status, duplicate: true);
            return false;
        }

        metrics.RecordWebhook(inbound.Source, inbound.Status, duplicate: false);

        if (inbound.Status == InboundStatus.Pending)
        {
            handoff.Post(inbound.Id);
        }

        return true;
    }
}
