using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// Tag changes after capture (workflow steps, sends, by hand): the lead's tags change, the change
/// is queued for Systeme.io in the same transaction, and a tag added enrols tag-triggered workflows.
/// Changes are added to the context; the caller saves and then flushes <see cref="AfterCommit"/>.
/// </summary>
public sealed class LeadTagging(
    ClientFlowDbContext db,
    Enrolments enrolments,
    AfterCommit afterCommit,
    IOptions<OutboxOptions> outbox,
    IOptions<SystemeOptions> systeme,
    TimeProvider clock)
{
    /// <summary>Adds the slugs the lead lacks (its <see cref="Lead.Tags"/> must be loaded); returns the ones added.</summary>
    public async Task<IReadOnlyList<string>> AddAsync(Lead lead, IEnumerable<string> slugs, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var added = slugs.Distinct(StringComparer.Ordinal).Where(s => lead.Tags.All(t => t.Slug != s)).ToList();
        if (added.Count == 0)
        {
            return added;
        }

        foreach (var slug in added)
        {
            lead.Tags.Add(new LeadTag { Slug = slug, AddedAt = now });
        }

        Queue(lead, OutboundKind.SystemeLeadSync, payload: null, now);
        await enrolments.OnTagsAddedAsync(lead, added, cancellationToken);
        return added;
    }

    /// <summary>
    /// A tag Systeme.io reports on the contact (its webhook): recorded as already synced, so nothing is
    /// sent back, and it enrols tag-triggered workflows like any tag. False when the lead had it.
    /// </summary>
    public async Task<bool> AddFromSystemeAsync(Lead lead, string slug, CancellationToken cancellationToken)
    {
        if (lead.Tags.Any(t => t.Slug == slug))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        lead.Tags.Add(new LeadTag { Slug = slug, AddedAt = now, SyncedAt = now });
        await enrolments.OnTagsAddedAsync(lead, [slug], cancellationToken);
        return true;
    }

    /// <summary>A tag Systeme.io reports removed from the contact: gone here too, nothing sent back.</summary>
    public bool RemoveFromSysteme(Lead lead, string slug)
    {
        var tag = lead.Tags.FirstOrDefault(t => t.Slug == slug);
        if (tag is null)
        {
            return false;
        }

        lead.Tags.Remove(tag);
        db.LeadTags.Remove(tag);
        return true;
    }

    /// <summary>Removes a tag the lead has; false when it had none.</summary>
    public bool Remove(Lead lead, string slug)
    {
        var tag = lead.Tags.FirstOrDefault(t => t.Slug == slug);
        if (tag is null)
        {
            return false;
        }

        lead.Tags.Remove(tag);
        db.LeadTags.Remove(tag);
        if (tag.SyncedAt is not null || lead.SystemeContactId is not null)
        {
            Queue(lead, OutboundKind.SystemeTagRemoval, slug, clock.GetUtcNow());
        }

        return true;
    }

    private void Queue(Lead lead, OutboundKind kind, string? payload, DateTimeOffset now)
    {
        if (kind == OutboundKind.SystemeLeadSync && lead.SyncState is LeadSyncState.Synced or LeadSyncState.NotSynced)
        {
            lead.SyncState = systeme.Value.IsOffline ? LeadSyncState.NotSynced : LeadSyncState.Pending;
        }

        var row = new OutboundOperation
        {
            Kind = kind,
            LeadId = lead.Id,
            Payload = payload,
            CreatedAt = now,
            NextAttemptAt = now,
            LeaseUntil = now + outbox.Value.Lease,
        };
        db.OutboundOperations.Add(row);
        afterCommit.Outbound(lead.TenantId, row.Id);
    }
}
