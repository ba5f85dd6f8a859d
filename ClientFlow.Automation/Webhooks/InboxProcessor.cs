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
    TimeProvider clock,
    ILogger<InboxProcessor> logger)
{
    /// <summary>How often one processing looks again after losing a unique-key race to another event.</summary>
    private const int RacePasses = 3;

    /// <summary>The IB an event of the account-wide service turned out to be for (by its tag's prefix), recorded on the event.</summary>
    private Guid? _tenantOfEvent;

    public async Task ProcessAsync(Guid eventId, CancellationToken cancellationToken)
    {
        _tenantOfEvent = null;
        var now = clock.GetUtcNow();
        var owner = Guid.NewGuid();
        var claimed = await db.InboundEvents
            .Where(e => e.Id == eventId && (e.Status == InboundStatus.Pending || (e.Status == InboundStatus.Processing && e.NextAttemptAt <= now)))
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.Status, InboundStatus.Processing)
                    .SetProperty(e => e.LeaseOwner, owner)
                    .SetProperty(e => e.Attempts, e => e.Attempts + 1)
                    .SetProperty(e => e.NextAttemptAt, now + Inbox.Lease),
                cancellationToken);
        if (claimed == 0)
        {
            return;
        }

        var inbound = await db.InboundEvents.AsNoTracking().SingleAsync(e => e.Id == eventId, cancellationToken);
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
                await RecordAsync(eventId, owner, InboundStatus.DeadLettered, reason);
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
        if (await RecordAsync(eventId, owner, status, outcome))
        {
            LogProcessed(eventId, inbound.EventType, status, outcome);
        }
    }

    /// <summary>The outcome, recorded only by the claim that holds the event (a worker whose lease lapsed records nothing).</summary>
    private async Task<bool> RecordAsync(Guid eventId, Guid owner, InboundStatus status, string outcome)
    {
        var processedAt = clock.GetUtcNow();
        var tenantId = _tenantOfEvent;
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

        var prefix = name.Length > TagPrefix.Length ? name[..TagPrefix.Length] : name;
        var slug = name.Length > TagPrefix.Length ? name[TagPrefix.Length..] : string.Empty;
        var tenantId = TagPrefix.IsValid(prefix) && TagSlug.IsValid(slug)
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

            lead.SystemeContactId ??= contact.Id;
            var changed = added ? await tagging.AddFromSystemeAsync(lead, slug, cancellationToken) : tagging.RemoveFromSysteme(lead, slug);
            await db.SaveChangesAsync(cancellationToken);
            afterCommit.Flush();
            return (InboundStatus.Processed, $"{(added ? "Added" : "Removed")} {slug} on {lead.Email}{(changed ? string.Empty : " (already so)")}.");
        }
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

    private static string Shorten(string text) => text.Length > 1000 ? text[..1000] : text;

    // Not "{EventId}": that name is the logger's own event id, and would print in place of the event's.
    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound event {InboundEventId} ({EventType}): {Status}, {Outcome}")]
    private partial void LogProcessed(Guid inboundEventId, string eventType, InboundStatus status, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound event {InboundEventId} dead-lettered: {Reason}")]
    private partial void LogDeadLettered(Guid inboundEventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound event {InboundEventId}: another event changed the same lead at once (pass {Pass}); looking again")]
    private partial void LogLostRace(Guid inboundEventId, int pass);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Systeme.io tag {TagName} carries no known IB prefix; ignored")]
    private partial void LogUnknownPrefix(string tagName);
}
