using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Workflows;

/// <summary>The current tenant's workflows: create, edit the draft, publish a version, turn ON and OFF.</summary>
public sealed class WorkflowEditor(
    ClientFlowDbContext db,
    ITenantContext tenant,
    IRunScheduler scheduler,
    IOptions<NotificationOptions> notifications,
    SendingGate sending,
    TimeProvider clock)
{
    public Task<List<Workflow>> ListAsync(CancellationToken cancellationToken) =>
        db.Workflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken);

    public Task<Workflow?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Workflows.SingleOrDefaultAsync(w => w.Id == id, cancellationToken);

    /// <summary>Template id to name, for pickers and outlines.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> TemplateNamesAsync(CancellationToken cancellationToken) =>
        await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);

    /// <summary>A new draft (OFF, unpublished), or null with the reason when the name is bad or the limit is reached.</summary>
    public async Task<(Workflow? Workflow, string? Error)> CreateAsync(string? name, WorkflowDefinition? definition, CancellationToken cancellationToken)
    {
        var tenantId = tenant.TenantId ?? throw new TenantIsolationException("Creating a workflow needs a tenant in scope.");
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > Workflow.MaxNameLength)
        {
            return (null, $"Give the workflow a name of at most {Workflow.MaxNameLength} characters.");
        }

        var max = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MaxWorkflows).SingleAsync(cancellationToken);
        if (await db.Workflows.CountAsync(cancellationToken) >= max)
        {
            return (null, $"You have reached your limit of {max} workflows.");
        }

        var now = clock.GetUtcNow();
        var workflow = new Workflow { Name = name, DraftJson = (definition ?? WorkflowDefinition.Empty).ToJson(), CreatedAt = now, UpdatedAt = now };
        db.Workflows.Add(workflow);
        await db.SaveChangesAsync(cancellationToken);
        return (workflow, null);
    }

    public async Task SaveDraftAsync(Workflow workflow, WorkflowDefinition draft, CancellationToken cancellationToken)
    {
        workflow.Draft = draft;
        workflow.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RenameAsync(Workflow workflow, string? name, bool allowReentry, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(name) && name.Trim().Length <= Workflow.MaxNameLength)
        {
            workflow.Name = name.Trim();
        }

        workflow.AllowReentry = allowReentry;
        workflow.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public const string ClaimsProblem = "Its emails make claims financial-promotion rules forbid";

    /// <summary>Checks the draft and freezes it as the next version; runs in flight stay on theirs. Returns the problems that refused it.</summary>
    public Task<IReadOnlyList<string>> PublishAsync(Workflow workflow, CancellationToken cancellationToken) =>
        PublishAsync(workflow, claimsAcknowledged: false, actorUserId: null, cancellationToken);

    /// <param name="claimsAcknowledged">
    /// The IB has checked the claims its emails make (<see cref="PromotionClaims"/>): without it a draft that sends a
    /// flagged template is refused, naming each claim; with it the draft is published and the acknowledgement audited.
    /// </param>
    public async Task<IReadOnlyList<string>> PublishAsync(Workflow workflow, bool claimsAcknowledged, string? actorUserId, CancellationToken cancellationToken)
    {
        var draft = workflow.Draft;
        var problems = PublishCheck.Problems(
            draft, await TemplateNamesAsync(cancellationToken), notifications.Value.AllowPrivateTargets, await sending.OwnTargetsAsync(workflow.TenantId, cancellationToken));
        if (problems.Count > 0)
        {
            return problems;
        }

        var claims = await ClaimsAsync(draft, cancellationToken);
        if (claims.Count > 0 && !claimsAcknowledged)
        {
            return [$"{ClaimsProblem}: {string.Join("; ", claims)}. Check them, then tick \"I have checked these claims\" and publish again."];
        }

        var version = new WorkflowVersion
        {
            WorkflowId = workflow.Id,
            Number = workflow.PublishedVersionNumber + 1,
            TriggerKind = draft.Trigger.Kind,
            TriggerTag = draft.Trigger.Key,
            DefinitionJson = draft.ToJson(),
            PublishedAt = clock.GetUtcNow(),
        };
        db.WorkflowVersions.Add(version);
        if (claims.Count > 0)
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = version.PublishedAt,
                ActorUserId = actorUserId,
                Action = "workflow.publish.claims-acknowledged",
                TenantId = workflow.TenantId,
                Detail = Truncate($"\"{workflow.Name}\" version {version.Number}: {string.Join("; ", claims)}"),
            });
        }

        workflow.PublishedVersionId = version.Id;
        workflow.PublishedVersionNumber = version.Number;
        workflow.HasUnpublishedChanges = false;
        workflow.UpdatedAt = version.PublishedAt;
        await db.SaveChangesAsync(cancellationToken);
        return [];
    }

    /// <summary>The claims in the templates the draft sends, each as "Template: "claim" (line, column)".</summary>
    private async Task<List<string>> ClaimsAsync(WorkflowDefinition draft, CancellationToken cancellationToken)
    {
        var sent = new HashSet<Guid>();
        Collect(draft.Steps);
        var templates = await db.EmailTemplates.AsNoTracking().Where(t => sent.Contains(t.Id)).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return [.. templates.SelectMany(t => PromotionClaims.Find(t).Select(c => $"\"{t.Name}\" {c.Field} line {c.Line}, column {c.Column}: \"{c.Phrase}\""))];

        void Collect(IReadOnlyList<WorkflowStep> steps)
        {
            foreach (var step in steps)
            {
                if (step is SendEmailStep send)
                {
                    sent.Add(send.TemplateId);
                }
                else if (step is ConditionStep condition)
                {
                    Collect(condition.Then);
                    Collect(condition.Else);
                }
            }
        }
    }

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] : text;

    /// <summary>
    /// ON needs a published version and an IB that may send marketing email (<see cref="SendingGate"/>). OFF pauses the workflow's
    /// live runs; ON hands them back to the scheduler where they stopped.
    /// </summary>
    public async Task<string?> SetOnAsync(Workflow workflow, bool on, CancellationToken cancellationToken)
    {
        if (on && workflow.PublishedVersionId is null)
        {
            return "Publish the workflow before turning it on.";
        }

        if (on && await sending.MarketingRefusalAsync(workflow.TenantId, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        workflow.IsOn = on;
        workflow.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        if (!on)
        {
            // A run paused between steps resumes at once when ON; a waiting run keeps its time.
            var now = clock.GetUtcNow();
            await db.WorkflowRuns
                .Where(r => r.WorkflowId == workflow.Id && (r.Status == RunStatus.Running || r.Status == RunStatus.Waiting))
                .ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.DueAt, r => r.Status == RunStatus.Running ? now : r.DueAt)
                        .SetProperty(r => r.Status, RunStatus.Paused)
                        .SetProperty(r => r.Revision, r => r.Revision + 1),
                    cancellationToken);
            return null;
        }

        // Resuming is a new hand-off: a job still queued from before OFF finds itself superseded, so ON
        // never adds a second job chain.
        // The runs are handed to their jobs by one background job, not one call per run inside this request.
        var handoff = Guid.NewGuid();
        var resumed = await db.WorkflowRuns
            .Where(r => r.WorkflowId == workflow.Id && r.Status == RunStatus.Paused)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Waiting).SetProperty(r => r.Handoff, handoff).SetProperty(r => r.Revision, r => r.Revision + 1), cancellationToken);
        if (resumed > 0)
        {
            scheduler.ResumeWorkflow(workflow.TenantId, workflow.Id, handoff, workflow.Name);
        }

        return null;
    }
}
