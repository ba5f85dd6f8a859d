using System.Text.Json;
using System.Text.Json.Nodes;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Jobs;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Processes one inbound event, once: a conditional update claims it (only one worker wins), the effects
/// run in the right tenant's scope (every effect is idempotent, so a worker dying mid-way and the sweep
/// retrying changes nothing twice), and the outcome is recorded on the event.
/// Tag events route by the tag's prefix: an event for John's tag never touches Sarah's lead with the same email.
/// </summary>
public sealed partial class InboxProcessor(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    LeadTagging tagging,
    EmailEngagement engagement,
    AfterCommit afterCommit,
    IBackgroundJobClient jobs,
    IOptions<SystemeOptions> systeme,
    IOptions<InboxOptions> options,
    SystemeConnectionCheck connectionCheck,
    Conversions.Postbacks postbacks,
    WriterTurns writerTurns,
    TimeProvider clock,
    ILogger<InboxProcessor> logger)
{
    /// <summary>How often one processing looks again after losing a unique-key race to another event.</summary>
    private const int RacePasses = 3;

    /// <summary>The IB an event of the account-wide service turned out to be for (by its tag's prefix), recorded on the event.</summary>
    private Guid? _tenantOfEvent;

    public async Task ProcessAsync(Guid eventId, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid();
        if (await ClaimAsync([eventId], owner, cancellationToken) == 0)
        {
            return;
        }

        var inbound = await db.InboundEvents.AsNoTracking().SingleAsync(e => e.Id == eventId, cancellationToken);
        await ProcessClaimedAsync(inbound, owner, cancellationToken);
    }

    /// <summary>
    /// Events handed out together, claimed in one statement. Tag events, most of what Systeme.io sends, are processed
    /// together per IB: their leads are read in one query, and their changes and outcomes written in one transaction.
    /// When that transaction fails (two events raced on one lead, one change failed) each of its events is processed
    /// alone, as <see cref="ProcessAsync"/> does, so one event's fault stays its own. Other events are processed one at
    /// a time. Returns the events that failed and gave their claim back, for the caller to retry.
    /// </summary>
    public async Task<IReadOnlyList<(Guid EventId, Exception Error)>> ProcessBatchAsync(IReadOnlyList<Guid> eventIds, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid();
        var failed = new List<(Guid, Exception)>();
        if (await ClaimAsync(eventIds, owner, cancellationToken) == 0)
        {
            return failed;
        }

        // In the order they were handed out, which is the order they were stored.
        var position = eventIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var claimed = (await db.InboundEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id) && e.LeaseOwner == owner).ToListAsync(cancellationToken))
            .OrderBy(e => position[e.Id])
            .ToList();
        var changes = claimed.Select(TagChange.Of).OfType<TagChange>().ToList();
        var prefixes = changes.Select(c => c.Prefix).Distinct(StringComparer.Ordinal).ToList();
        var tenants = prefixes.Count == 0
            ? []
            : await db.Tenants.Where(t => prefixes.Contains(t.TagPrefix)).ToDictionaryAsync(t => t.TagPrefix, t => t.Id, StringComparer.Ordinal, cancellationToken);

        foreach (var ib in changes.Where(c => tenants.ContainsKey(c.Prefix)).GroupBy(c => tenants[c.Prefix]))
        {
            failed.AddRange(await ProcessTagChangesAsync(ib.Key, [.. ib], owner, cancellationToken));
        }

        var together = changes.Where(c => tenants.ContainsKey(c.Prefix)).Select(c => c.Event.Id).ToHashSet();
        failed.AddRange(await ProcessEachAsync(claimed.Where(e => !together.Contains(e.Id)), owner, cancellationToken));
        return failed;
    }

    /// <summary>One IB's tag events of a batch: their changes and their outcomes in one transaction; each alone when that fails.</summary>
    private async Task<IReadOnlyList<(Guid, Exception)>> ProcessTagChangesAsync(Guid tenantId, IReadOnlyList<TagChange> changes, Guid owner, CancellationToken cancellationToken)
    {
        var outcomes = new List<(Guid EventId, InboundStatus Status, string Outcome)>(changes.Count);
        Exception? failure = null;
        using (tenantScope.Enter(tenantId))
        {
            try
            {
                // What the events' leads have, read narrow and untracked: most tag events echo a change ClientFlow made
                // itself (the tag is there already), and only a lead that one of its events changes is read whole and tracked.
                var emails = changes.Select(c => c.Contact.Email!).Distinct(StringComparer.Ordinal).ToList();
                var byEmail = (await TagsOfLeads(db.Leads.Where(l => emails.Contains(l.Email))).ToListAsync(cancellationToken))
                    .ToDictionary(l => l.Email, StringComparer.Ordinal);
                var contactIds = changes.Where(c => !byEmail.ContainsKey(c.Contact.Email!) && c.Contact.Id is not null).Select(c => c.Contact.Id).Distinct().ToList();
                var byContact = contactIds.Count == 0
                    ? []
                    : (await TagsOfLeads(db.Leads.Where(l => contactIds.Contains(l.SystemeContactId))).ToListAsync(cancellationToken))
                        .GroupBy(l => l.SystemeContactId!.Value).ToDictionary(g => g.Key, g => g.First());
                var leads = changes.Select(c => byEmail.GetValueOrDefault(c.Contact.Email!) ?? (c.Contact.Id is { } id ? byContact.GetValueOrDefault(id) : null)).ToList();

                // A lead none of whose events changes it as it is stays as it is through all of them, in any order.
                var changing = changes.Zip(leads).Where(p => p.Second?.WouldChange(p.First) == true).Select(p => p.Second!.Id).ToHashSet();
                var tracked = changing.Count == 0
                    ? []
                    : await db.Leads.Include(l => l.Tags).Where(l => changing.Contains(l.Id)).ToDictionaryAsync(l => l.Id, cancellationToken);

                foreach (var (change, lead) in changes.Zip(leads))
                {
                    var (status, outcome) = lead switch
                    {
                        null => (InboundStatus.Ignored, $"The IB has no lead {change.Contact.Email}."),
                        _ when tracked.TryGetValue(lead.Id, out var whole) => (InboundStatus.Processed, await ChangeTagAsync(whole, change.Contact, change.Slug, change.Added, cancellationToken)),
                        // One of its events changes it, and it was gone when read whole: deleted meanwhile.
                        _ when changing.Contains(lead.Id) => (InboundStatus.Ignored, $"The IB has no lead {change.Contact.Email}."),
                        _ => (InboundStatus.Processed, Described(change.Added, change.Slug, lead.Email, changed: false)),
                    };
                    outcomes.Add((change.Event.Id, status, Shorten(outcome)));
                }

                // Opened here, not before the reads: on SQLite a transaction holds the one writer from its start.
                using (await writerTurns.TakeAsync())
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    // An event whose lease lapsed to another worker meanwhile keeps that worker's claim, and its outcome is
                    // that worker's to record; its effects here are idempotent, as that worker's are.
                    await db.RecordInboundOutcomesAsync(outcomes, owner, tenantId, clock.GetUtcNow(), cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                afterCommit.Flush();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                afterCommit.Discard();
                failure = ex;
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        if (failure is not null)
        {
            LogProcessingAlone(failure, changes.Count);
            return await ProcessEachAsync(changes.Select(c => c.Event), owner, cancellationToken);
        }

        foreach (var ((eventId, status, outcome), change) in outcomes.Zip(changes))
        {
            LogProcessed(eventId, change.Event.EventType, status, outcome);
        }

        return [];
    }

    private async Task<IReadOnlyList<(Guid, Exception)>> ProcessEachAsync(IEnumerable<InboundEvent> events, Guid owner, CancellationToken cancellationToken)
    {
        var failed = new List<(Guid, Exception)>();
        foreach (var inbound in events)
        {
            try
            {
                await ProcessClaimedAsync(inbound, owner, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add((inbound.Id, ex));
            }
            finally
            {
                // Each event reads what the database holds now, not what an earlier one left tracked.
                afterCommit.Discard();
                db.ChangeTracker.Clear();
            }
        }

        return failed;
    }

    /// <summary>Takes the events that are pending (or whose lease lapsed) for <paramref name="owner"/>; returns how many.</summary>
    private async Task<int> ClaimAsync(IReadOnlyCollection<Guid> eventIds, Guid owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        using var turn = await writerTurns.TakeAsync();
        return await db.InboundEvents
            .Where(e => eventIds.Contains(e.Id) && (e.Status == InboundStatus.Pending || (e.Status == InboundStatus.Processing && e.NextAttemptAt <= now)))
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.Status, InboundStatus.Processing)
                    .SetProperty(e => e.LeaseOwner, owner)
                    .SetProperty(e => e.Attempts, e => e.Attempts + 1)
                    .SetProperty(e => e.NextAttemptAt, now + Inbox.Lease),
                cancellationToken);
    }

    /// <summary>An event this processing has claimed: its effects, then its outcome (or its claim given back when it fails).</summary>
    private async Task ProcessClaimedAsync(InboundEvent inbound, Guid owner, CancellationToken cancellationToken)
    {
        _tenantOfEvent = null;
        var eventId = inbound.Id;
        InboundStatus status;
        string outcome;
        try
        {
            (status, outcome) = await HandleSettlingRacesAsync(inbound, cancellationToken);
        }
        catch (JsonException ex)
        {
            (status, outcome) = (InboundStatus.Rejected, $"Malformed JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (inbound.Attempts >= options.Value.MaxAttempts)
            {
                // Kept with the reason for an admin (/Admin/DeadLetters), not handed out again.
                var reason = Shorten($"Gave up after {inbound.Attempts} attempts: {ex.Message}");
                await RecordAsync(eventId, owner, InboundStatus.DeadLettered, reason, _tenantOfEvent);
                LogDeadLettered(eventId, reason);
                return;
            }

            // Give the claim back so Hangfire's retry can take it at once (the sweep after the lease); the effects are idempotent.
            var failedAt = clock.GetUtcNow();
            await db.InboundEvents.Where(e => e.Id == eventId && e.LeaseOwner == owner)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(e => e.Status, InboundStatus.Pending)
                        .SetProperty(e => e.LeaseOwner, (Guid?)null)
                        .SetProperty(e => e.NextAttemptAt, failedAt + Inbox.Lease)
                        .SetProperty(e => e.Outcome, Shorten(ex.Message)),
                    CancellationToken.None);
            throw;
        }

        outcome = Shorten(outcome);
        if (await RecordAsync(eventId, owner, status, outcome, _tenantOfEvent))
        {
            LogProcessed(eventId, inbound.EventType, status, outcome);
        }
    }

    /// <summary>The outcome, recorded only by the claim that holds the event (a worker whose lease lapsed records nothing).</summary>
    private async Task<bool> RecordAsync(Guid eventId, Guid owner, InboundStatus status, string outcome, Guid? tenantId)
    {
        var processedAt = clock.GetUtcNow();
        var recorded = await db.InboundEvents.Where(e => e.Id == eventId && e.LeaseOwner == owner)
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.Status, status).SetProperty(e => e.Outcome, outcome).SetProperty(e => e.ProcessedAt, processedAt).SetProperty(e => e.LeaseOwner, (Guid?)null)
                    .SetProperty(e => e.TenantId, e => tenantId ?? e.TenantId),
                CancellationToken.None);
        return recorded == 1;
    }

    /// <summary>
    /// Two events about one lead can be processed at the same moment (Systeme.io reports the same tag
    /// twice, a tag and a sale): both add the same tag or enrol in the same workflow, and the unique key
    /// lets one transaction win. The loser's transaction rolled back whole, so it looks again at what the
    /// winner committed and finds the change already made. That is one processing, not a failed attempt.
    /// </summary>
    private async Task<(InboundStatus, string)> HandleSettlingRacesAsync(InboundEvent inbound, CancellationToken cancellationToken)
    {
        for (var pass = 1; ; pass++)
        {
            try
            {
                return await HandleAsync(inbound, JsonNode.Parse(inbound.Body), cancellationToken);
            }
            catch (DbUpdateException ex) when (pass < RacePasses && db.IsLostRace(ex))
            {
                afterCommit.Discard();
                db.ChangeTracker.Clear();
                LogLostRace(inbound.Id, pass);
            }
        }
    }

    /// <summary>
    /// Hands out events that are due (stored but never picked up, or claimed by a worker that died). Each is handed
    /// out by a conditional update that takes a fresh lease, so it goes to one job per lease however many sweeps run.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await db.InboundEvents
            .Where(e => (e.Status == InboundStatus.Pending || e.Status == InboundStatus.Processing) && e.NextAttemptAt <= now)
            .OrderBy(e => e.NextAttemptAt)
            .Take(500)
            .Select(e => e.Id)
            .ToListAsync(cancellationToken);
        var taken = new List<Guid>(due.Count);
        foreach (var id in due)
        {
            if (await db.InboundEvents
                .Where(e => e.Id == id && (e.Status == InboundStatus.Pending || e.Status == InboundStatus.Processing) && e.NextAttemptAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.NextAttemptAt, now + Inbox.Lease), cancellationToken) == 1)
            {
                taken.Add(id);
            }
        }

        foreach (var chunk in taken.Chunk(InboxHandoff.EventsPerJob))
        {
            jobs.Enqueue<InboxJob>(j => j.RunBatchAsync(chunk, chunk.Length, CancellationToken.None));
        }

        return taken.Count;
    }

    private Task<(InboundStatus, string)> HandleAsync(InboundEvent inbound, JsonNode? body, CancellationToken cancellationToken) =>
        (inbound.Source, inbound.EventType) switch
        {
            (InboundSource.SystemeWorkflow, _) => EngagementAsync(inbound, body, cancellationToken),
            (InboundSource.BrokerPostback, _) => postbacks.ProcessAsync(inbound, body, cancellationToken),
            (_, "CONTACT_TAG_ADDED") => TagAsync(body, added: true, cancellationToken),
            (_, "CONTACT_TAG_REMOVED") => TagAsync(body, added: false, cancellationToken),
            (_, "CONTACT_CREATED" or "CONTACT_OPT_IN") => LinkContactAsync(body, cancellationToken),
            (_, "SALE_NEW") => SaleAsync(body, cancellationToken),
            (_, "SALE_CANCELED") => Task.FromResult((InboundStatus.Processed, "Sale cancellation recorded.")),
            _ => Task.FromResult((InboundStatus.Ignored, $"Event {inbound.EventType} is not one ClientFlow uses.")),
        };

    private async Task<(InboundStatus, string)> TagAsync(JsonNode? body, bool added, CancellationToken cancellationToken)
    {
        var contact = SystemePayload.ContactOf(body);
        var name = SystemePayload.TagName(body);
        if (contact?.Email is null || name is null)
        {
            return (InboundStatus.Rejected, "The event has no contact email or no tag name.");
        }

        var (prefix, slug) = SplitTag(name) ?? (string.Empty, string.Empty);
        var tenantId = prefix.Length > 0
            ? await db.Tenants.Where(t => t.TagPrefix == prefix).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (tenantId is null)
        {
            LogUnknownPrefix(name);
            return (InboundStatus.Ignored, $"Tag \"{name}\" carries no known IB prefix.");
        }

        _tenantOfEvent = tenantId;
        using (tenantScope.Enter(tenantId.Value))
        {
            if (slug == SystemeConnectionCheck.TestSlug)
            {
                // The IB's "Test the connection" tag came back: the webhook service reaches ClientFlow for this prefix.
                return added && await connectionCheck.RecordWebhookAsync(cancellationToken)
                    ? (InboundStatus.Processed, "Connection test: the webhook came back.")
                    : (InboundStatus.Ignored, "Connection test tag, no test waiting for it.");
            }

            var lead = await FindLeadAsync(contact, cancellationToken);
            if (lead is null)
            {
                return (InboundStatus.Ignored, $"The IB has no lead {contact.Email}.");
            }

            var outcome = await ChangeTagAsync(lead, contact, slug, added, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Flush();
            return (InboundStatus.Processed, outcome);
        }
    }

    /// <summary>The tag Systeme.io reports added or removed, on the lead (the caller saves); returns the outcome.</summary>
    private async Task<string> ChangeTagAsync(Lead lead, SystemePayload.Contact contact, string slug, bool added, CancellationToken cancellationToken)
    {
        lead.SystemeContactId ??= contact.Id;
        var changed = added ? await tagging.AddFromSystemeAsync(lead, slug, cancellationToken) : tagging.RemoveFromSysteme(lead, slug);
        return Described(added, slug, lead.Email, changed);
    }

    private static string Described(bool added, string slug, string email, bool changed) =>
        $"{(added ? "Added" : "Removed")} {slug} on {email}{(changed ? string.Empty : " (already so)")}.";

    private static IQueryable<LeadTags> TagsOfLeads(IQueryable<Lead> leads) =>
        leads.AsNoTracking().Select(l => new LeadTags(l.Id, l.Email, l.SystemeContactId, l.Tags.Select(t => t.Slug).ToList()));

    /// <summary>A lead's tags, as much of it as says whether a tag event changes it.</summary>
    private sealed record LeadTags(Guid Id, string Email, long? SystemeContactId, List<string> Slugs)
    {
        /// <summary>As <see cref="ChangeTagAsync"/> would find it: the contact id to link, or the tag to add or remove.</summary>
        public bool WouldChange(TagChange change) =>
            (SystemeContactId is null && change.Contact.Id is not null) || Slugs.Contains(change.Slug) != change.Added;
    }

    private async Task<(InboundStatus, string)> LinkContactAsync(JsonNode? body, CancellationToken cancellationToken)
    {
        var contact = SystemePayload.ContactOf(body);
        if (contact?.Email is null || contact.Id is null)
        {
            return (InboundStatus.Rejected, "The event has no contact id or email.");
        }

        var owners = await TenantsWithLeadAsync(contact.Email, cancellationToken);
        foreach (var tenantId in owners)
        {
            using (tenantScope.Enter(tenantId))
            {
                await db.Leads.Where(l => l.Email == contact.Email && l.SystemeContactId == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.SystemeContactId, contact.Id), cancellationToken);
            }
        }

        return owners.Count == 0 ? (InboundStatus.Ignored, $"No IB has a lead {contact.Email}.") : (InboundStatus.Processed, $"Linked contact {contact.Id} to {owners.Count} IB(s).");
    }

    /// <summary>A sale converts the lead of the IB the contact belongs to: the owner field, else the one IB that has the lead.</summary>
    private async Task<(InboundStatus, string)> SaleAsync(JsonNode? body, CancellationToken cancellationToken)
    {
        if (SystemePayload.CustomerOf(body) is not var (customer, fields) || customer.Email is null)
        {
            return (InboundStatus.Rejected, "The sale has no customer email.");
        }

        var owners = await TenantsWithLeadAsync(customer.Email, cancellationToken);
        var owner = fields?[systeme.Value.OwnerIdFieldSlug]?.ToString() is { } field && Guid.TryParse(field, out var id) && owners.Contains(id) ? id : (Guid?)null;
        owner ??= owners.Count == 1 ? owners[0] : null;
        if (owner is null)
        {
            return (InboundStatus.Ignored, owners.Count == 0 ? $"No IB has a lead {customer.Email}." : $"{owners.Count} IBs have {customer.Email} and the sale names none.");
        }

        using (tenantScope.Enter(owner.Value))
        {
            var lead = await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Email == customer.Email, cancellationToken);
            lead.Status = LeadStatus.Converted;
            await tagging.AddAsync(lead, [CaptureTags.Converted], cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Flush();
            return (InboundStatus.Processed, $"{lead.Email} converted.");
        }
    }

    /// <summary>A Systeme.io workflow reports an open or a click for one IB: it lands on that lead's latest matching send.</summary>
    private async Task<(InboundStatus, string)> EngagementAsync(InboundEvent inbound, JsonNode? body, CancellationToken cancellationToken)
    {
        var contact = SystemePayload.ContactOf(body);
        if (contact?.Email is null || inbound.TenantId is not { } tenantId)
        {
            return (InboundStatus.Rejected, "The webhook has no contact email.");
        }

        using (tenantScope.Enter(tenantId))
        {
            var lead = await FindLeadAsync(contact, cancellationToken);
            if (lead is null)
            {
                return (InboundStatus.Ignored, $"No lead {contact.Email}.");
            }

            var sends = await db.EmailMessages
                .Where(m => m.LeadId == lead.Id && m.Kind == EmailKind.Workflow && m.Status == EmailStatus.Sent)
                .OrderByDescending(m => m.SentAt)
                .ToListAsync(cancellationToken);
            var message = inbound.Template is { } template
                ? sends.FirstOrDefault(m => m.TemplateName is { } name && (string.Equals(name, template, StringComparison.OrdinalIgnoreCase) || TemplateSlug.From(name) == TemplateSlug.From(template)))
                : sends.FirstOrDefault();
            if (message is null)
            {
                return (InboundStatus.Ignored, $"No sent email{(inbound.Template is null ? string.Empty : $" \"{inbound.Template}\"")} to {lead.Email}.");
            }

            await engagement.RecordAsync(message, clicked: inbound.EventType == "clicked", machine: false, clock.GetUtcNow(), cancellationToken);
            return (InboundStatus.Processed, $"{inbound.EventType} \"{message.TemplateName}\" by {lead.Email}.");
        }
    }

    private async Task<Lead?> FindLeadAsync(SystemePayload.Contact contact, CancellationToken cancellationToken) =>
        await db.Leads.Include(l => l.Tags).FirstOrDefaultAsync(l => l.Email == contact.Email, cancellationToken)
        ?? (contact.Id is { } id ? await db.Leads.Include(l => l.Tags).FirstOrDefaultAsync(l => l.SystemeContactId == id, cancellationToken) : null);

    private async Task<List<Guid>> TenantsWithLeadAsync(string email, CancellationToken cancellationToken)
    {
        using (db.ReadAcrossTenants())
        {
            return await db.Leads.IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .Where(l => l.Email == email)
                .Select(l => l.TenantId)
                .Distinct()
                .ToListAsync(cancellationToken);
        }
    }

    /// <summary>A tag event of the webhook service for a well-formed IB tag (not the connection test's): processed with its IB's others.</summary>
    private sealed record TagChange(InboundEvent Event, SystemePayload.Contact Contact, string Prefix, string Slug, bool Added)
    {
        public static TagChange? Of(InboundEvent inbound)
        {
            if (inbound.Source is InboundSource.SystemeWorkflow or InboundSource.BrokerPostback || inbound.EventType is not ("CONTACT_TAG_ADDED" or "CONTACT_TAG_REMOVED"))
            {
                return null;
            }

            JsonNode? body;
            try
            {
                body = JsonNode.Parse(inbound.Body);
            }
            catch (JsonException)
            {
                return null;
            }

            return SystemePayload.ContactOf(body) is { Email: not null } contact
                && SystemePayload.TagName(body) is { } name
                && SplitTag(name) is var (prefix, slug)
                && slug != SystemeConnectionCheck.TestSlug
                ? new TagChange(inbound, contact, prefix, slug, inbound.EventType == "CONTACT_TAG_ADDED")
                : null;
        }
    }

    /// <summary>An IB tag's prefix and slug, or null for a name that is not one (too short, or either part malformed).</summary>
    private static (string Prefix, string Slug)? SplitTag(string name)
    {
        if (name.Length <= TagPrefix.Length)
        {
            return null;
        }

        var (prefix, slug) = (name[..TagPrefix.Length], name[TagPrefix.Length..]);
        return TagPrefix.IsValid(prefix) && TagSlug.IsValid(slug) ? (prefix, slug) : null;
    }

    private static string Shorten(string text) => text.Length > 1000 ? text[..1000] : text;

    // Not "{EventId}": that name is the logger's own event id, and would print in place of the event's.
    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound event {InboundEventId} ({EventType}): {Status}, {Outcome}")]
    private partial void LogProcessed(Guid inboundEventId, string eventType, InboundStatus status, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound event {InboundEventId} dead-lettered: {Reason}")]
    private partial void LogDeadLettered(Guid inboundEventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound event {InboundEventId}: another event changed the same lead at once (pass {Pass}); looking again")]
    private partial void LogLostRace(Guid inboundEventId, int pass);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} tag events of one IB could not be saved together; processing each alone")]
    private partial void LogProcessingAlone(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io tag {TagName} carries no known IB prefix; ignored")]
    private partial void LogUnknownPrefix(string tagName);
}
