using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Starts runs. Triggers come from the tag layer, capture and broker postbacks (inside their transaction, so a lead
/// and its runs commit together) and from /Leads by hand. Only ON workflows with a published version
/// of the current tenant enrol (the tenant filter sees no other), and a lead is enrolled once unless
/// the workflow allows re-entry, enforced by a unique enrolment key.
/// A run whose workflow begins with a wait begins that wait here, as its first step, in the transaction that enrols it
/// (<see cref="BeginWait"/>); every other run goes to the engine once that transaction commits.
/// </summary>
public sealed class Enrolments(ClientFlowDbContext db, AfterCommit afterCommit, IOptions<EngineOptions> options, TimeProvider clock)
{
    /// <summary>
    /// ON workflows by tenant, loaded once per scope and tenant: a scope that enters several tenants in turn (the demo
    /// seeder) must not enrol one tenant's leads in the workflows it loaded for another.
    /// </summary>
    private readonly Dictionary<Guid, List<LiveWorkflow>> _live = [];

    /// <summary>The name of the wake that ends a workflow's first wait (/hangfire shows it), by workflow, described once per scope.</summary>
    private readonly Dictionary<Guid, string> _firstWakes = [];

    /// <summary>
    /// Runs this scope added and has not saved yet, by enrolment key (kept here rather than read from the change tracker,
    /// whose <c>Local</c> view detects changes across every tracked entity on each read: quadratic over an import batch).
    /// </summary>
    private readonly Dictionary<string, WorkflowRun> _added = ForgottenOnSave(db);

    /// <summary>
    /// Emptied by every save: a saved run is found in the database, and keeping it here held every run of a long scope
    /// (an import's job: 133,333 runs for 100,000 rows) in memory until the scope ended.
    /// </summary>
    private static Dictionary<string, WorkflowRun> ForgottenOnSave(ClientFlowDbContext db)
    {
        var added = new Dictionary<string, WorkflowRun>(StringComparer.Ordinal);
        db.SavedChanges += (_, _) => added.Clear();
        return added;
    }

    /// <summary>A new lead: workflows triggered by capture. Adds runs to the context; the caller saves.</summary>
    public Task<IReadOnlyList<WorkflowRun>> OnLeadCapturedAsync(Lead lead, CancellationToken cancellationToken) =>
        EnrolAsync(lead, v => v.TriggerKind == TriggerKind.LeadCaptured, cancellationToken);

    /// <summary>Tags just added to a lead: workflows triggered by any of them. Adds runs to the context; the caller saves.</summary>
    public Task<IReadOnlyList<WorkflowRun>> OnTagsAddedAsync(Lead lead, IReadOnlyCollection<string> slugs, CancellationToken cancellationToken) =>
        slugs.Count == 0
            ? Task.FromResult<IReadOnlyList<WorkflowRun>>([])
            : EnrolAsync(lead, v => v.TriggerKind == TriggerKind.TagAdded && slugs.Contains(v.TriggerTag!), cancellationToken);

    /// <summary>Stages a broker's postback just moved the lead to for the first time: workflows triggered by them. The caller saves.</summary>
    public Task<IReadOnlyList<WorkflowRun>> OnBrokerEventsAsync(Lead lead, IReadOnlyCollection<BrokerEventKind> reached, CancellationToken cancellationToken)
    {
        var names = reached.Select(BrokerPresets.EventName).ToList();
        return names.Count == 0
            ? Task.FromResult<IReadOnlyList<WorkflowRun>>([])
            : EnrolAsync(lead, v => v.TriggerKind == TriggerKind.BrokerEvent && names.Contains(v.TriggerTag!), cancellationToken);
    }

    /// <summary>Enrols leads in one workflow by hand (one or many, any trigger). Returns how many runs started.</summary>
    public async Task<int> EnrolByHandAsync(Guid workflowId, IReadOnlyCollection<Guid> leadIds, CancellationToken cancellationToken)
    {
        var leads = await db.Leads.Where(l => leadIds.Contains(l.Id)).ToListAsync(cancellationToken);
        var started = 0;
        foreach (var lead in leads)
        {
            var runs = await EnrolAsync(lead, v => v.WorkflowId == workflowId, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                afterCommit.Flush();
                started += runs.Count;
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                // Enrolled meanwhile by another request (a double click, a second tab): skipped, the rest go on.
                afterCommit.Discard();
                foreach (var run in runs)
                {
                    db.Entry(run).State = EntityState.Detached;
                }
            }
        }

        return started;
    }

    private async Task<IReadOnlyList<WorkflowRun>> EnrolAsync(
        Lead lead, Func<WorkflowVersion, bool> trigger, CancellationToken cancellationToken)
    {
        if (lead.Status == LeadStatus.Unsubscribed)
        {
            return [];
        }

        // Loaded once per scope and tenant (a request, a job, an import batch): a capture of thousands of leads asks once.
        var tenantId = db.CurrentTenantId ?? throw new Tenancy.TenantIsolationException("Enrolling a lead needs a tenant in scope.");
        if (!_live.TryGetValue(tenantId, out var live))
        {
            live = await db.Workflows.AsNoTracking()
                .Where(w => w.IsOn && w.PublishedVersionId != null)
                .Join(db.WorkflowVersions.AsNoTracking(), w => w.PublishedVersionId, v => v.Id, (w, v) => new { Workflow = w, Version = v })
                .AsAsyncEnumerable()
                .Select(l => new LiveWorkflow(l.Workflow, l.Version, WorkflowProgram.Compile(l.Version.Definition)))
                .ToListAsync(cancellationToken);
            _live[tenantId] = live;
        }

        var candidates = live.Where(c => trigger(c.Version)).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        // A lead being added in this transaction has no stored runs: only the runs added with it can be taken. (An
        // import of 100,000 rows asked the database twice per row before.) The unique key still guards every insert.
        var keys = candidates.Select(c => Key(c.Workflow, lead)).ToList();
        var stored = db.Entry(lead).State == EntityState.Added
            ? []
            : await db.WorkflowRuns.Where(r => r.EnrolmentKey != null && keys.Contains(r.EnrolmentKey)).Select(r => r.EnrolmentKey!).ToListAsync(cancellationToken);
        var taken = stored.Concat(keys.Where(PendingInsert)).ToHashSet(StringComparer.Ordinal);

        var now = clock.GetUtcNow();
        var runs = new List<WorkflowRun>();
        foreach (var candidate in candidates)
        {
            var key = Key(candidate.Workflow, lead);
            if (taken.Contains(key) || candidate.Start is not { } start)
            {
                continue;
            }

            var runTenant = lead.TenantId == Guid.Empty ? candidate.Workflow.TenantId : lead.TenantId;
            var run = new WorkflowRun
            {
                WorkflowId = candidate.Workflow.Id,
                VersionId = candidate.Version.Id,
                LeadId = lead.Id,
                Status = RunStatus.Running,
                NextStep = start,
                // Leased to the job handed off after commit; the sweep takes over if it is lost.
                DueAt = now + options.Value.Lease,
                EnrolmentKey = key,
                StartedAt = now,
                Handoff = Guid.NewGuid(),
            };
            db.WorkflowRuns.Add(run);
            _added[key] = run;
            runs.Add(run);
            if (lead.Status == LeadStatus.New)
            {
                lead.Status = LeadStatus.Nurturing;
            }

            if (candidate.Program[start] is { Step: WaitStep wait } first)
            {
                BeginWait(run, first, wait, now);
                afterCommit.Wake(runTenant, run.DueAt, await FirstWakeAsync(candidate, first, cancellationToken));
            }
            else
            {
                afterCommit.Run(runTenant, run.Id, run.Handoff.Value, $"{candidate.Workflow.Name}, start");
            }
        }

        return runs;
    }

    /// <summary>
    /// Takes a run's first step when it is a wait, as the engine would (<see cref="StepExecutor"/>): the run waits at it
    /// with its <see cref="RunStep"/>, and the wake booked after commit hands it on when the wait ends. The step commits
    /// with the run, so it happens once; its effects are the run's own row. An import's runs no longer queue for the
    /// engine only to begin waiting: of the 133,333 runs that 100,000 rows start in the seed notes' two workflows,
    /// 100,000 begin with the Welcome Sequence's five minutes.
    /// </summary>
    private void BeginWait(WorkflowRun run, ProgramNode first, WaitStep wait, DateTimeOffset now)
    {
        run.Status = RunStatus.Waiting;
        run.AtStep = first.Index;
        run.NextStep = first.Next;
        run.DueAt = now + wait.Duration;
        db.RunSteps.Add(new RunStep
        {
            RunId = run.Id,
            StepIndex = first.Index,
            Label = StepText.Describe(wait, RunAdvancer.NoTemplates),
            Outcome = StepExecutor.WaitingUntil(run.DueAt),
            ExecutedAt = now,
        });
    }

    private async Task<string> FirstWakeAsync(LiveWorkflow live, ProgramNode first, CancellationToken cancellationToken)
    {
        if (!_firstWakes.TryGetValue(live.Workflow.Id, out var description))
        {
            var names = first.Next is { } next && StepText.NamesATemplate(live.Program[next].Step)
                ? await RunAdvancer.ReadTemplateNamesAsync(db, cancellationToken)
                : RunAdvancer.NoTemplates;
            description = RunAdvancer.WakeDescription(live.Workflow.Name, live.Program, first.Next, names);
            _firstWakes[live.Workflow.Id] = description;
        }

        return description;
    }

    /// <summary>An ON workflow's published version, compiled once per scope.</summary>
    private sealed record LiveWorkflow(Workflow Workflow, WorkflowVersion Version, WorkflowProgram Program)
    {
        /// <summary>The first step, or null for an empty workflow.</summary>
        public int? Start => Program.Start;
    }

    /// <summary>A run with this key is added and not yet saved (a run saved is found in the database; one rolled back and cleared is not taken).</summary>
    private bool PendingInsert(string key) => _added.TryGetValue(key, out var run) && db.Entry(run).State == EntityState.Added;

    private static string Key(Workflow workflow, Lead lead) =>
        workflow.AllowReentry ? $"{workflow.Id:N}:{lead.Id:N}:active" : $"{workflow.Id:N}:{lead.Id:N}";
}
