using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// The prefix query back from Systeme.io (seed: contacts fetched by the IB's prefix). For one IB it reads every tag
/// carrying the IB's prefix and pages through the contacts of each, then: a contact ClientFlow has no lead for becomes
/// a lead (source Systeme.io, through <see cref="LeadCapture"/>, so the lead limit and the capture policy apply), and a
/// prefixed tag set in Systeme.io by hand that the lead lacks is added as a webhook would add it, firing tag-added
/// workflows once (the lead's tag key and the run's enrolment key). It catches webhooks that never arrived.
/// It writes nothing to Systeme.io itself, reads only tags that start with the IB's own prefix, and spends the
/// account's shared rate budget like every other call. The cursor (tag, last contact) is saved after every page, so
/// a pass that stops resumes there. One worker at a time per IB: the pass is claimed by a conditional update that
/// takes a lease on the IB's <see cref="SystemeReconcile"/> row, renewed after every page.
/// </summary>
public sealed partial class SystemeReconciler(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    ISystemeClient systeme,
    LeadCapture capture,
    LeadTagging tagging,
    AfterCommit afterCommit,
    IOptions<SystemeOptions> options,
    TimeProvider clock,
    ILogger<SystemeReconciler> logger)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// <summary>Runs (or resumes) one pass for the IB; false when Systeme.io is offline or another worker holds the pass.</summary>
    public async Task<bool> RunAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (options.Value.IsOffline)
        {
            return false;
        }

        var prefix = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        using (tenantScope.Enter(tenantId))
        {
            var owner = Guid.NewGuid();
            if (!await ClaimAsync(tenantId, owner, cancellationToken))
            {
                LogBusy(tenantId);
                return false;
            }

            var state = await db.SystemeReconciles.SingleAsync(r => r.TenantId == tenantId, cancellationToken);
            try
            {
                await PassAsync(tenantId, prefix, state, owner, cancellationToken);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cursor stays where the last page left it; the next run resumes there.
                db.ChangeTracker.Clear();
                await db.SystemeReconciles.Where(r => r.TenantId == tenantId && r.LeaseOwner == owner).ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.LastError, Truncate(ex.Message, 2000)).SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.LeaseUntil, (DateTimeOffset?)null),
                    cancellationToken);
                throw;
            }
        }
    }

    private async Task PassAsync(Guid tenantId, string prefix, SystemeReconcile state, Guid owner, CancellationToken cancellationToken)
    {
        if (state.TagId is null)
        {
            state.StartedAt = clock.GetUtcNow();
            state.ContactsRead = state.LeadsCreated = state.TagsAdded = state.Refused = 0;
        }

        // The API's tag search is a substring search: only names that start with the IB's own prefix are the IB's.
        var tags = (await systeme.SearchTagsAsync(prefix, cancellationToken))
            .Where(t => t.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(t => t.Id)
            .OrderBy(t => t.Id)
            .ToList();
        state.TagsFound = Truncate(string.Join(", ", tags.Select(t => t.Name).Order(StringComparer.Ordinal)), 4000);

        foreach (var tag in tags.Where(t => state.TagId is null || t.Id >= state.TagId))
        {
            if (tag.Id != state.TagId)
            {
                state.TagId = tag.Id;
                state.StartingAfter = null;
            }

            while (true)
            {
                var page = await systeme.ListContactsWithTagAsync(tag.Id, state.StartingAfter, cancellationToken);
                foreach (var contact in page.Items)
                {
                    state.ContactsRead++;
                    await ReconcileContactAsync(tenantId, prefix, contact, state, cancellationToken);
                }

                state.StartingAfter = page.Items.Count > 0 ? page.Items[^1].Id : state.StartingAfter;
                state.LeaseUntil = clock.GetUtcNow() + Lease;
                await db.SaveChangesAsync(cancellationToken);
                if (!page.HasMore || page.Items.Count == 0)
                {
                    break;
                }
            }
        }

        state.TagId = null;
        state.StartingAfter = null;
        state.CompletedAt = clock.GetUtcNow();
        state.LastError = null;
        state.LastReport = $"{tags.Count} prefixed tag(s), {state.ContactsRead} contact(s) read: {state.LeadsCreated} lead(s) created, {state.TagsAdded} tag(s) added, {state.Refused} refused.";
        state.LeaseOwner = null;
        state.LeaseUntil = null;
        await db.SaveChangesAsync(cancellationToken);
        LogPass(tenantId, state.LastReport);
    }

    /// <summary>Brings one contact's side of the IB into ClientFlow: the lead, then each of the IB's tags on it.</summary>
    private async Task ReconcileContactAsync(Guid tenantId, string prefix, SystemeContact contact, SystemeReconcile state, CancellationToken cancellationToken)
    {
        var slugs = (contact.Tags ?? [])
            .Where(t => t.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(t => t.Name[prefix.Length..].Trim())
            .Where(TagSlug.IsValid)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (slugs.Count == 0)
        {
            return;
        }

        var input = LeadInputRules.Normalize(new LeadInput
        {
            Email = contact.Email,
            Name = contact.FieldValue("full_name") ?? string.Join(' ', new[] { contact.FieldValue("first_name"), contact.FieldValue("surname") }.Where(n => !string.IsNullOrWhiteSpace(n))),
            Phone = contact.FieldValue("phone_number"),
        });
        var lead = await db.Leads.Include(l => l.Tags).FirstOrDefaultAsync(l => l.SystemeContactId == contact.Id || l.Email == input.Email, cancellationToken);
        if (lead is null)
        {
            if (LeadInputRules.Validate(input).Count > 0)
            {
                state.Refused++;
                return;
            }

            var result = (await capture.CaptureValidAsync(tenantId, [input], LeadSource.Systeme, syncNow: false, cancellationToken, tagsOf: _ => slugs))[0];
            if (result is { Status: CaptureStatus.Created, Lead: { } created })
            {
                created.SystemeContactId = contact.Id;
                state.LeadsCreated++;
                state.TagsAdded += slugs.Count;
                await db.SaveChangesAsync(cancellationToken);
            }
            else
            {
                state.Refused++;
                LogRefused(tenantId, contact.Id, result.Status);
            }

            return;
        }

        lead.SystemeContactId ??= contact.Id;
        foreach (var slug in slugs)
        {
            if (await tagging.AddFromSystemeAsync(lead, slug, cancellationToken))
            {
                state.TagsAdded++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        afterCommit.Flush();
    }

    /// <summary>The conditional update that makes this worker the only one running the IB's pass until its lease lapses.</summary>
    private async Task<bool> ClaimAsync(Guid tenantId, Guid owner, CancellationToken cancellationToken)
    {
        if (!await db.SystemeReconciles.AnyAsync(r => r.TenantId == tenantId, cancellationToken))
        {
            db.SystemeReconciles.Add(new SystemeReconcile { TenantId = tenantId });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                // Another worker made the row first; the claim below decides between us.
            }

            db.ChangeTracker.Clear();
        }

        var now = clock.GetUtcNow();
        var until = now + Lease;
        return await db.SystemeReconciles
            .Where(r => r.TenantId == tenantId && (r.LeaseUntil == null || r.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, owner).SetProperty(r => r.LeaseUntil, until), cancellationToken) == 1;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [LoggerMessage(Level = LogLevel.Information, Message = "Systeme.io reconcile of tenant {TenantId}: {Report}")]
    private partial void LogPass(Guid tenantId, string report);

    [LoggerMessage(Level = LogLevel.Information, Message = "Systeme.io reconcile of tenant {TenantId}: another worker holds the pass")]
    private partial void LogBusy(Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Systeme.io reconcile of tenant {TenantId}: contact {ContactId} not captured: {Status}")]
    private partial void LogRefused(Guid tenantId, long contactId, CaptureStatus status);
}
