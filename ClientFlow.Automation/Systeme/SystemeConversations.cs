using ClientFlow.Automation.Data;
using ClientFlow.Automation.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// One Systeme.io conversation per lead at a time. A Systeme.io outbox row enters the lead's conversation
/// with its own claim (a conditional update of the lead's lease, atomic on every node) before it calls
/// Systeme.io, and leaves it afterwards. A second row for the same lead (the capture's sync and a
/// workflow's tag) waits its turn, so it sees what the first one did and assigns nothing twice.
/// A holder that died lets go when its lease lapses.
/// </summary>
public sealed class SystemeConversations(ClientFlowDbContext db, TimeProvider clock)
{
    public async Task<bool> TryEnterAsync(Guid leadId, OutboundClaim claim, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var entered = await db.Leads
            .Where(l => l.Id == leadId && (l.SystemeLeaseOwner == null || l.SystemeLeaseOwner == claim.Owner || l.SystemeLeaseUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.SystemeLeaseOwner, claim.Owner).SetProperty(l => l.SystemeLeaseUntil, claim.Until), cancellationToken);

        // A lead deleted meanwhile has no conversation to hold: the operation finds no lead and is done.
        return entered == 1 || !await db.Leads.AnyAsync(l => l.Id == leadId, cancellationToken);
    }

    public Task LeaveAsync(Guid leadId, OutboundClaim claim, CancellationToken cancellationToken) =>
        db.Leads
            .Where(l => l.Id == leadId && l.SystemeLeaseOwner == claim.Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.SystemeLeaseOwner, (Guid?)null).SetProperty(l => l.SystemeLeaseUntil, (DateTimeOffset?)null), cancellationToken);
}
