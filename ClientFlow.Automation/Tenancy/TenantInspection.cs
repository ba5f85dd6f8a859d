using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Counters;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// The admin's troubleshooting view of one IB (seed: "complete visibility across all IBs", "can help troubleshoot any
/// IB's setup"). Each look is written to the audit trail first, then read inside <see cref="TenantScope.Inspect"/>: the
/// tenant filter and row-level security show that IB's rows and no other's, and nothing can be saved while looking.
/// </summary>
public sealed class TenantInspection(ClientFlowDbContext db, TenantScope tenantScope, TimeProvider clock)
{
    /// <summary>Rows of each list on the overview (newest first).</summary>
    public const int ListSize = 50;

    public const string TenantViewAction = "admin.tenant.view";

    public const string LeadViewAction = "admin.lead.view";

    /// <summary>The IB's set-up, leads (newest, or those matching <paramref name="search"/>), workflows with their runs, templates, messages and problems; null for no such IB.</summary>
    public async Task<TenantOverview?> OverviewAsync(string actorUserId, Guid tenantId, string? search, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        await AuditAsync(actorUserId, TenantViewAction, tenantId, string.IsNullOrWhiteSpace(search) ? null : $"search: {search.Trim()}", cancellationToken);
        var owners = await db.Users.Where(u => u.TenantId == tenantId).Select(u => u.Email ?? string.Empty).OrderBy(e => e).ToListAsync(cancellationToken);

        using (tenantScope.Inspect(tenantId))
        {
            var counters = await db.CountersAsync(cancellationToken);
            var leads = await (string.IsNullOrWhiteSpace(search) ? db.Leads : db.LeadsMatching(search.Trim()))
                .AsNoTracking().Include(l => l.Tags).OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).Take(ListSize).ToListAsync(cancellationToken);
            var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken);
            var runs = (await db.WorkflowRuns.GroupBy(r => new { r.WorkflowId, r.Status }).Select(g => new { g.Key.WorkflowId, g.Key.Status, Count = g.Count() }).ToListAsync(cancellationToken))
                .ToLookup(r => r.WorkflowId);
            var templates = await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name)
                .Select(t => new TemplateSummary(t.Id, t.Name, t.Subject, t.UpdatedAt)).ToListAsync(cancellationToken);
            var messages = await db.EmailMessages.AsNoTracking().OrderByDescending(m => m.CreatedAt).Take(ListSize)
                .Select(MessageSummary.Of).ToListAsync(cancellationToken);
            var problems = await db.OutboundOperations.AsNoTracking()
                .Where(o => o.Status == OutboundStatus.Failed || o.Status == OutboundStatus.DeadLettered)
                .OrderByDescending(o => o.CreatedAt).Take(ListSize)
                .Select(o => new OperationSummary(o.Id, o.Kind, o.LeadId, o.Status, o.Attempts, o.LastError, o.CreatedAt))
                .ToListAsync(cancellationToken);
            return new TenantOverview(
                tenant,
                owners,
                counters.Of(TenantCounterTriggers.Leads),
                counters.Of(TenantCounterTriggers.RunsInProgress),
                leads,
                workflows.Select(w => new WorkflowSummary(w, runs[w.Id].ToDictionary(r => r.Status, r => r.Count))).ToList(),
                templates,
                messages,
                problems,
                await SystemeSetup.ReadAsync(db, tenantId, cancellationToken));
        }
    }

    /// <summary>One lead's history in time order: captured, tags, runs and their steps, messages with opens and clicks, Systeme.io sync; null for no such lead of this IB.</summary>
    public async Task<LeadTimeline?> LeadTimelineAsync(string actorUserId, Guid tenantId, Guid leadId, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        using (tenantScope.Inspect(tenantId))
        {
            var lead = await db.Leads.AsNoTracking().Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
            if (lead is null)
            {
                return null;
            }

            var runs = await db.WorkflowRuns.AsNoTracking().Where(r => r.LeadId == leadId)
                .Join(db.Workflows, r => r.WorkflowId, w => w.Id, (r, w) => new { Run = r, w.Name }).ToListAsync(cancellationToken);
            var runIds = runs.Select(r => r.Run.Id).ToList();
            var runNames = runs.ToDictionary(r => r.Run.Id, r => r.Name);
            var steps = await db.RunSteps.AsNoTracking().Where(s => runIds.Contains(s.RunId)).ToListAsync(cancellationToken);
            var messages = await db.EmailMessages.AsNoTracking().Where(m => m.LeadId == leadId)
                .Select(MessageSummary.Of).ToListAsync(cancellationToken);
            var operations = await db.OutboundOperations.AsNoTracking().Where(o => o.LeadId == leadId)
                .Select(o => new OperationSummary(o.Id, o.Kind, o.LeadId, o.Status, o.Attempts, o.LastError, o.CreatedAt, o.CompletedAt))
                .ToListAsync(cancellationToken);

            var entries = new List<TimelineEntry> { new(lead.CreatedAt, TimelineKind.Captured, $"Captured ({lead.Source}) as {lead.Email}") };
            entries.AddRange(lead.Tags.Select(t => new TimelineEntry(t.AddedAt, TimelineKind.Tag, $"Tag \"{t.Slug}\" added ({tenant.TagPrefix}{t.Slug})")));
            foreach (var run in runs.Select(r => r.Run))
            {
                entries.Add(new(run.StartedAt, TimelineKind.Run, $"Enrolled in \"{runNames[run.Id]}\""));
                if (run.FinishedAt is { } finished)
                {
                    entries.Add(new(finished, TimelineKind.Run, $"\"{runNames[run.Id]}\" ended: {run.Status}{(run.LastError is null ? string.Empty : $" ({run.LastError})")}"));
                }
            }

            entries.AddRange(steps.Select(s => new TimelineEntry(s.ExecutedAt, TimelineKind.Step, $"\"{runNames[s.RunId]}\" step {s.StepIndex + 1}, {s.Label}: {s.Outcome}")));
            foreach (var message in messages)
            {
                entries.Add(new(message.CreatedAt, TimelineKind.Message, $"Email \"{message.Subject}\" to {message.To}: {message.Status}{(message.LastError is null ? string.Empty : $" ({message.LastError})")}"));
                if (message.SentAt is { } sent)
                {
                    entries.Add(new(sent, TimelineKind.Message, $"Email \"{message.Subject}\" delivered"));
                }

                if (message.OpenedAt is { } opened)
                {
                    entries.Add(new(opened, TimelineKind.Open, $"Opened \"{message.Subject}\""));
                }

                if (message.ClickedAt is { } clicked)
                {
                    entries.Add(new(clicked, TimelineKind.Click, $"Clicked in \"{message.Subject}\""));
                }
            }

            foreach (var operation in operations.Where(o => o.Kind is OutboundKind.SystemeLeadSync or OutboundKind.SystemeTagRemoval))
            {
                entries.Add(new(operation.CompletedAt ?? operation.CreatedAt, TimelineKind.Sync,
                    $"Systeme.io {operation.Kind}: {operation.Status} after {operation.Attempts} attempt(s){(operation.LastError is null ? string.Empty : $" ({operation.LastError})")}"));
            }

            await AuditAsync(actorUserId, LeadViewAction, tenantId, $"lead {leadId}", cancellationToken);
            return new LeadTimeline(tenant, lead, entries.OrderBy(e => e.At).ThenBy(e => e.Kind).ToList());
        }
    }

    /// <summary>The audit trail, newest first, <paramref name="take"/> entries older than <paramref name="before"/> (an entry id) when given.</summary>
    public async Task<IReadOnlyList<AuditView>> AuditTrailAsync(string actorUserId, long? before, int take, CancellationToken cancellationToken)
    {
        await AuditAsync(actorUserId, "admin.audit.list", null, null, cancellationToken);
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(a => before == null || a.Id < before)
            .OrderByDescending(a => a.Id).Take(take)
            .ToListAsync(cancellationToken);
        var actorIds = entries.Select(e => e.ActorUserId).OfType<string>().Distinct().ToList();
        var tenantIds = entries.Select(e => e.TenantId).OfType<Guid>().Distinct().ToList();
        var actors = await db.Users.Where(u => actorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id, cancellationToken);
        var tenants = await db.Tenants.Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        return entries.Select(e => new AuditView(
                e.Id,
                e.At,
                e.ActorUserId is { } actor ? actors.GetValueOrDefault(actor, actor) : null,
                e.Action,
                e.TenantId,
                e.TenantId is { } tenant ? tenants.GetValueOrDefault(tenant) : null,
                e.Detail))
            .ToList();
    }

    /// <summary>Written before the read it records, outside the inspected tenant: an audit entry belongs to the platform.</summary>
    private async Task AuditAsync(string actorUserId, string action, Guid? tenantId, string? detail, CancellationToken cancellationToken)
    {
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = action, TenantId = tenantId, Detail = detail });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }
}

public sealed record TenantOverview(
    Tenant Tenant,
    IReadOnlyList<string> Owners,
    int LeadCount,
    int RunsInProgress,
    IReadOnlyList<Lead> Leads,
    IReadOnlyList<WorkflowSummary> Workflows,
    IReadOnlyList<TemplateSummary> Templates,
    IReadOnlyList<MessageSummary> Messages,
    IReadOnlyList<OperationSummary> Problems,
    SystemeSetup Systeme);

/// <summary>A workflow with how many of its runs are in each status.</summary>
public sealed record WorkflowSummary(Workflow Workflow, IReadOnlyDictionary<RunStatus, int> Runs);

public sealed record TemplateSummary(Guid Id, string Name, string Subject, DateTimeOffset UpdatedAt);

/// <summary>An email without its bodies.</summary>
public sealed record MessageSummary(
    Guid Id, Guid? LeadId, EmailKind Kind, string To, string Subject, EmailStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? OpenedAt, DateTimeOffset? ClickedAt, string? LastError)
{
    /// <summary>The projection EF runs in the database, so the bodies are never read.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<EmailMessage, MessageSummary>> Of =
        m => new MessageSummary(m.Id, m.LeadId, m.Kind, m.To, m.Subject, m.Status, m.CreatedAt, m.SentAt, m.OpenedAt, m.ClickedAt, m.LastError);
}

/// <summary>An outbox row without its payload.</summary>
public sealed record OperationSummary(
    Guid Id, OutboundKind Kind, Guid? LeadId, OutboundStatus Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt = null);

public sealed record LeadTimeline(Tenant Tenant, Lead Lead, IReadOnlyList<TimelineEntry> Entries);

public enum TimelineKind
{
    Captured,
    Tag,
    Run,
    Step,
    Message,
    Open,
    Click,
    Sync,
}

public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Text);

public sealed record AuditView(long Id, DateTimeOffset At, string? Actor, string Action, Guid? TenantId, string? TenantName, string? Detail);
