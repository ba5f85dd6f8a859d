using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Email;

/// <summary>
/// What a lead does with an email: opens (pixel), clicks (redirect), unsubscribes. The token is the
/// only key: it finds the message's tenant (one cross-tenant lookup of the id), and everything after
/// happens inside that tenant's scope.
/// </summary>
public sealed class EmailEngagement(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    LeadTagging tagging,
    AfterCommit afterCommit,
    TimeProvider clock)
{
    public const string UnsubscribedTag = "unsubscribed";

    public async Task<bool> RecordOpenAsync(string token, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return false;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var now = clock.GetUtcNow();
            await db.EmailMessages.Where(m => m.Id == found.Value.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.OpenedAt, m => m.OpenedAt ?? now).SetProperty(m => m.OpenCount, m => m.OpenCount + 1), cancellationToken);
        }

        return true;
    }

    /// <summary>The link's original target (null for an unknown token or index). A click counts as an open too.</summary>
    public async Task<string?> RecordClickAsync(string token, int index, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return null;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var message = await db.EmailMessages.SingleAsync(m => m.Id == found.Value.Id, cancellationToken);
            var target = EmailTracking.Link(message, index);
            if (target is null)
            {
                return null;
            }

            var now = clock.GetUtcNow();
            message.ClickedAt ??= now;
            message.OpenedAt ??= now;
            message.ClickCount++;
            await db.SaveChangesAsync(cancellationToken);
            return target;
        }
    }

    /// <summary>Who the unsubscribe link is for: the IB's sender name and whether the lead is already out. Null for an unknown token.</summary>
    public async Task<UnsubscribeTarget?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return null;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var message = await db.EmailMessages.AsNoTracking().SingleAsync(m => m.Id == found.Value.Id, cancellationToken);
            var lead = message.LeadId is { } leadId ? await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken) : null;
            return new UnsubscribeTarget(message.FromName ?? "the sender", lead?.Status == LeadStatus.Unsubscribed, lead is not null);
        }
    }

    /// <summary>
    /// Unsubscribes the message's lead from its IB: status Unsubscribed, tag <c>unsubscribed</c>
    /// (synced to Systeme.io), and the lead's live runs end. Idempotent; false for an unknown token.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return false;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var leadId = await db.EmailMessages.Where(m => m.Id == found.Value.Id).Select(m => m.LeadId).SingleAsync(cancellationToken);
            var lead = leadId is null ? null : await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
            if (lead is null || lead.Status == LeadStatus.Unsubscribed)
            {
                return true;
            }

            var now = clock.GetUtcNow();
            lead.Status = LeadStatus.Unsubscribed;
            await tagging.AddAsync(lead, [UnsubscribedTag], cancellationToken);
            foreach (var run in await db.WorkflowRuns.Where(r => r.LeadId == lead.Id && (r.Status == RunStatus.Running || r.Status == RunStatus.Waiting || r.Status == RunStatus.Paused)).ToListAsync(cancellationToken))
            {
                run.Status = RunStatus.Exited;
                run.FinishedAt = now;
                run.LastError = "The lead unsubscribed.";
                run.Revision++;
            }

            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Flush();
            return true;
        }
    }

    private async Task<(Guid TenantId, Guid Id)?> LocateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        using (db.ReadAcrossTenants())
        {
            var found = await db.EmailMessages.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .Where(m => m.Token == token)
                .Select(m => new { m.TenantId, m.Id })
                .SingleOrDefaultAsync(cancellationToken);
            return found is null ? null : (found.TenantId, found.Id);
        }
    }
}

/// <summary>What the unsubscribe page shows.</summary>
public sealed record UnsubscribeTarget(string SenderName, bool AlreadyUnsubscribed, bool HasLead);
