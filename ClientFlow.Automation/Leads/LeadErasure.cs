using System.Text.Json;
using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// A person's request to be erased (GDPR art. 17), carried out for one IB in one transaction: the lead and everything
/// that names it (tags, runs and their steps, emails, queued work, its claim, import rejections and webhook events that
/// carry its address) are deleted; an outbox row takes the IB's prefixed tags off the Systeme.io contact; what stays is the
/// address's SHA-256 (<see cref="ErasedAddress"/>), so a re-imported list or an API call does not bring the person back.
/// </summary>
public sealed class LeadErasure(
    ClientFlowDbContext db,
    AfterCommit afterCommit,
    IOptions<SystemeOptions> systeme,
    IOptions<OutboxOptions> outbox,
    TimeProvider clock)
{
    public const string AuditAction = "lead.erased";

    /// <summary>False when the IB has no such lead (another IB's id included).</summary>
    public async Task<bool> EraseAsync(Guid leadId, string? actorUserId, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
        if (lead is null)
        {
            return false;
        }

        var tenantId = lead.TenantId;
        var email = lead.Email;
        var now = clock.GetUtcNow();
        var prefix = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Queued work first (deliveries point at the emails), then the emails, then the lead (its tags and runs, and the
        // runs' steps, go with it by cascade).
        await db.OutboundOperations.Where(o => o.LeadId == leadId).ExecuteDeleteAsync(cancellationToken);
        var messages = db.EmailMessages.Where(m => m.LeadId == leadId).Select(m => m.Id);
        await db.OutboundOperations.Where(o => o.EmailMessageId != null && messages.Contains(o.EmailMessageId.Value)).ExecuteDeleteAsync(cancellationToken);
        await db.EmailMessages.Where(m => m.LeadId == leadId).ExecuteDeleteAsync(cancellationToken);
        await db.Leads.Where(l => l.Id == leadId).ExecuteDeleteAsync(cancellationToken);
        await db.LeadEmailClaims.Where(c => c.TenantId == tenantId && c.Email == email).ExecuteDeleteAsync(cancellationToken);
        await db.LeadImportRejections.Where(r => r.Email == email).ExecuteDeleteAsync(cancellationToken);
        await db.InboundEvents.Where(e => e.TenantId == tenantId && e.Body.Contains(email)).ExecuteDeleteAsync(cancellationToken);

        var hash = Suppressions.HashOf(email);
        if (!await db.ErasedAddresses.AnyAsync(e => e.AddressHash == hash, cancellationToken))
        {
            db.ErasedAddresses.Add(new ErasedAddress { TenantId = tenantId, AddressHash = hash, ErasedAt = now });
        }

        if (!systeme.Value.IsOffline && (lead.SystemeContactId is not null || lead.SyncState != LeadSyncState.NotSynced))
        {
            // By id when known; else the address is the only way to the contact, kept in this row until it is done and pruned.
            var erasure = new SystemeErasure(prefix, lead.SystemeContactId, lead.SystemeContactId is null ? email : null);
            var row = new OutboundOperation
            {
                Kind = OutboundKind.SystemeErasure,
                Payload = JsonSerializer.Serialize(erasure),
                CreatedAt = now,
                NextAttemptAt = now,
                LeaseUntil = now + outbox.Value.Lease,
            };
            db.OutboundOperations.Add(row);
            afterCommit.Outbound(tenantId, row.Id);
        }

        db.AuditEntries.Add(new AuditEntry { At = now, ActorUserId = actorUserId, Action = AuditAction, TenantId = tenantId, Detail = $"lead {leadId}" });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            afterCommit.Discard();
            throw;
        }

        afterCommit.Flush();
        return true;
    }
}
