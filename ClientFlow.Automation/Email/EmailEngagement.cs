using ClientFlow.Automation.Conversions;
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
    EngagementWake wake,
    Microsoft.Extensions.Options.IOptions<TrackingOptions> tracking,
    TimeProvider clock)
{
    public const string UnsubscribedTag = "unsubscribed";

    /// <summary>
    /// The open pixel. An open within <see cref="TrackingOptions.MachineOpenWindow"/> of delivery (by a real
    /// channel), or from a known scanner, is a machine event; a person's open marks the lead engaged and wakes runs waiting for it.
    /// </summary>
    public async Task<bool> RecordOpenAsync(string token, string? userAgent, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return false;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var message = await db.EmailMessages.SingleAsync(m => m.Id == found.Value.Id, cancellationToken);
            var now = clock.GetUtcNow();
            // No mail server stands between the Outbox channel and the IB following its links by hand: no delivery window there.
            var prefetched = message.Channel != EmailChannelKind.Outbox && message.SentAt is { } sent && now - sent < tracking.Value.MachineOpenWindow;
            var machine = LinkScanners.IsMachineOpen(userAgent) || prefetched;
            await RecordAsync(message, clicked: false, machine, now, cancellationToken);
        }

        return true;
    }

    /// <summary>The link's original target (null for an unknown token or index). A person's click counts as an open too.</summary>
    public async Task<string?> RecordClickAsync(string token, int index, string? userAgent, CancellationToken cancellationToken)
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
            if (target is not null)
            {
                await RecordAsync(message, clicked: true, LinkScanners.IsMachineClick(userAgent), clock.GetUtcNow(), cancellationToken);
            }

            return target;
        }
    }

    /// <summary>
    /// A tracked referral link (<c>/r/{token}.{connection}</c>): records a click on the message and returns the
    /// connection's referral link with the message's lead's ref; null for an unknown message, connection or lead. The
    /// target is always the IB's own connection's link, never anything from the request.
    /// </summary>
    public async Task<string?> RecordReferralClickAsync(string token, Guid connectionId, string? userAgent, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return null;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var message = await db.EmailMessages.SingleAsync(m => m.Id == found.Value.Id, cancellationToken);
            var connection = await db.BrokerConnections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
            var leadRef = message.LeadId is { } leadId ? await db.Leads.Where(l => l.Id == leadId).Select(l => l.Ref).SingleOrDefaultAsync(cancellationToken) : null;
            if (connection is null || leadRef is null)
            {
                return null;
            }

            // The click is kept per connection (for the conversion report) and counted on the message, in one transaction.
            var machine = LinkScanners.IsMachineClick(userAgent);
            var now = clock.GetUtcNow();
            db.ReferralClicks.Add(new ReferralClick
            {
                ConnectionId = connection.Id,
                LeadId = message.LeadId!.Value,
                MessageId = message.Id,
                WorkflowId = message.RunId is { } runId ? await db.WorkflowRuns.Where(r => r.Id == runId).Select(r => (Guid?)r.WorkflowId).SingleOrDefaultAsync(cancellationToken) : null,
                TemplateId = message.TemplateId,
                IsMachine = machine,
                ClickedAt = now,
            });
            await RecordAsync(message, clicked: true, machine, now, cancellationToken);
            return EmailTracking.BrokerLink(connection.ReferralLink, leadRef);
        }
    }

    /// <summary>
    /// Records a person's or a machine's open or click on a message of the current tenant (from the pixel,
    /// the click redirect, or a Systeme.io workflow webhook). A person's event makes the lead Engaged and
    /// wakes the lead's runs that wait for an open or click (a machine's too, under
    /// <see cref="TrackingOptions.CountMachineEvents"/>). <paramref name="message"/> is only read: the
    /// counters move in the database, in one statement, so two hits at the same instant both count.
    /// </summary>
    public async Task RecordAsync(EmailMessage message, bool clicked, bool machine, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lead = !machine && message.LeadId is { } leadId ? await db.Leads.SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken) : null;
        if (lead is { Status: LeadStatus.New or LeadStatus.Nurturing })
        {
            lead.Status = LeadStatus.Engaged;
        }

        var row = db.EmailMessages.Where(m => m.Id == message.Id);
        var opens = clicked ? 0 : 1;
        var clicks = clicked ? 1 : 0;
        DateTimeOffset? clickedAt = clicked ? now : null;
        await SaveTogetherWithAsync(
            () => machine
                ? row.ExecuteUpdateAsync(s => s.SetProperty(m => m.MachineEvents, m => m.MachineEvents + 1).SetProperty(m => m.LastMachineEventAt, now), cancellationToken)
                : row.ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.OpenedAt, m => m.OpenedAt ?? now)
                        .SetProperty(m => m.OpenCount, m => m.OpenCount + opens)
                        .SetProperty(m => m.ClickedAt, m => m.ClickedAt ?? clickedAt)
                        .SetProperty(m => m.ClickCount, m => m.ClickCount + clicks),
                    cancellationToken),
            cancellationToken);

        // Machine events wake runs only where they can satisfy a condition; they never make the lead Engaged.
        if (message.LeadId is { } waking && (!machine || tracking.Value.CountMachineEvents))
        {
            await wake.WakeAsync(waking, cancellationToken);
        }
    }

    /// <summary>Where <paramref name="url"/> is among the message's own links (exact match), or null.</summary>
    public async Task<int?> LinkIndexAsync(string token, string url, CancellationToken cancellationToken)
    {
        var found = await LocateAsync(token, cancellationToken);
        if (found is null)
        {
            return null;
        }

        using (tenantScope.Enter(found.Value.TenantId))
        {
            var links = await db.EmailMessages.Where(m => m.Id == found.Value.Id).Select(m => m.LinksJson).SingleAsync(cancellationToken);
            var index = (System.Text.Json.JsonSerializer.Deserialize<List<string>>(links) ?? []).IndexOf(url);
            return index < 0 ? null : index;
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
            return new UnsubscribeTarget(message.FromName ?? "the sender", lead?.Status == LeadStatus.Unsubscribed, lead is not null, message.To);
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
            // One statement rather than read-then-write, so a run step committing at this moment cannot fail the
            // unsubscribe on the run's revision; the step loses instead and its worker stops.
            await SaveTogetherWithAsync(
                () => db.WorkflowRuns
                    .Where(r => r.LeadId == lead.Id && (r.Status == RunStatus.Running || r.Status == RunStatus.Waiting || r.Status == RunStatus.Paused))
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(r => r.Status, RunStatus.Exited)
                            .SetProperty(r => r.FinishedAt, now)
                            .SetProperty(r => r.LastError, "The lead unsubscribed.")
                            .SetProperty(r => r.Revision, r => r.Revision + 1),
                        cancellationToken),
                cancellationToken);

            afterCommit.Flush();
            return true;
        }
    }

    /// <summary>Runs <paramref name="update"/> (one set-based statement) and saves the tracked changes in one transaction.</summary>
    private async Task SaveTogetherWithAsync(Func<Task> update, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await update();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
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
public sealed record UnsubscribeTarget(string SenderName, bool AlreadyUnsubscribed, bool HasLead, string Address);
