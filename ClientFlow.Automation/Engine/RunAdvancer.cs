using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Moves a run on: one transaction per step (the step's effects, its <see cref="RunStep"/> and the
/// new position commit together, after the step has read and decided outside it), consecutive steps
/// in one call, stopping at a wait or the end.
/// Re-entrant: a run that moved on, is paused or is not yet due is left as it is, a job whose
/// hand-off was superseded (<see cref="WorkflowRun.Handoff"/>) does nothing, and a step another
/// worker already committed fails on the (run, step) key or the run's revision and stops.
/// A step that clashes with another writer of the lead (Systeme.io adding the same tag at that
/// moment) rolls back with the run where it was, and is tried again.
/// </summary>
public sealed partial class RunAdvancer(
    ClientFlowDbContext db,
    StepExecutor executor,
    WorkflowPrograms programs,
    AfterCommit afterCommit,
    IRunScheduler scheduler,
    ClientFlowMetrics metrics,
    IOptions<EngineOptions> options,
    TimeProvider clock,
    ILogger<RunAdvancer> logger)
{
    /// <summary>Steps one job runs before handing the rest of the run to a fresh job.</summary>
    public const int MaxStepsPerJob = 50;

    /// <summary>Clashes with other writers one job tries through before leaving the run to the sweep.</summary>
    private const int MaxClashes = 3;

    private IReadOnlyDictionary<Guid, string>? _templateNames;

    /// <param name="handoff">The hand-off the calling job holds; null for a caller that is not a handed-out job.</param>
    public async Task AdvanceAsync(Guid runId, Guid? handoff, CancellationToken cancellationToken)
    {
        // One connection for the run's steps: EF would otherwise open one per query, and each opening sets the session's
        // tenant again on PostgreSQL (a round trip) and SQLite's pragmas. The tenant does not change within a run.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await StepAsync(runId, handoff, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Advances runs of the current tenant handed out together (started together, or claimed together when their waits
    /// ended), each as the holder of its own hand-off, on one connection. A run whose step throws is handed to a job of
    /// its own (retried and visible in /hangfire) and the rest go on.
    /// </summary>
    public async Task AdvanceEachAsync(Guid tenantId, IReadOnlyList<(Guid RunId, Guid Handoff)> runs, string description, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            foreach (var (runId, handoff) in runs)
            {
                using (logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = tenantId, ["RunId"] = runId }))
                {
                    try
                    {
                        await StepAsync(runId, handoff, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogHandedToOwnJob(ex, runId);
                        scheduler.Enqueue(tenantId, runId, handoff, description);
                    }
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task StepAsync(Guid runId, Guid? handoff, CancellationToken cancellationToken)
    {
        var tenantId = Guid.Empty;
        var held = handoff;
        var clashes = 0;
        for (var step = 0; step < MaxStepsPerJob; step++)
        {
            db.ChangeTracker.Clear();
            var run = await db.WorkflowRuns.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.Status is not (RunStatus.Running or RunStatus.Waiting))
            {
                return;
            }

            if (held is { } mine && run.Handoff is { } entitled && entitled != mine)
            {
                // Superseded: a newer job has the run. This one neither advances it nor schedules anything.
                LogSuperseded(run.Id);
                return;
            }

            held ??= run.Handoff ?? Guid.NewGuid();
            tenantId = run.TenantId;
            var now = clock.GetUtcNow();
            var workflow = await db.Workflows.AsNoTracking().SingleAsync(w => w.Id == run.WorkflowId, cancellationToken);
            var program = await programs.GetAsync(db, run.VersionId, cancellationToken);

            if (run.Status == RunStatus.Waiting && run.DueAt > now)
            {
                // Never early: a job handed the run before its time (clock skew) leaves it to the wake at its time.
                scheduler.ScheduleWake(run.TenantId, run.DueAt, await DescribeAsync(workflow, program, run.NextStep, cancellationToken));
                return;
            }

            if (!workflow.IsOn)
            {
                run.Status = RunStatus.Paused;
                await TrySaveAsync(run, cancellationToken);
                return;
            }

            if (run.NextStep is not { } pointer || pointer >= program.Nodes.Count)
            {
                Finish(run, RunStatus.Completed, now);
                await TrySaveAsync(run, cancellationToken);
                return;
            }

            var node = program[pointer];
            var handoffRead = run.Handoff;
            run.AtStep = node.Index;
            run.Status = RunStatus.Running;
            run.DueAt = now + options.Value.Lease;

            // The step reads and decides outside any transaction, and its writes commit together in one: SaveChanges' own,
            // or the one the step began at its first direct write (the daily allowance), committed here with the rest.
            // So SQLite's single writer is held only while the step's rows are written, not while a lead is read and an
            // email rendered; the run's revision and the (run, step) keys still make the step happen once.
            string? outcome;
            bool saved;
            try
            {
                outcome = await executor.ExecuteAsync(run, node, workflow, cancellationToken);
                if (run.Status == RunStatus.Running && run.NextStep is null)
                {
                    Finish(run, RunStatus.Completed, now);
                }
                else if (run.Status is RunStatus.Exited or RunStatus.Failed)
                {
                    Finish(run, run.Status, now);
                }

                if (outcome is not null)
                {
                    db.RunSteps.Add(new RunStep
                    {
                        RunId = run.Id,
                        StepIndex = node.Index,
                        Label = StepText.Describe(node.Step, await TemplateNamesAsync(node.Step, cancellationToken)),
                        Outcome = outcome,
                        ExecutedAt = now,
                    });
                }

                if (run.Status == RunStatus.Waiting)
                {
                    // A wait is a new hand-off (the wake's claim takes the run under its own): any job still around for
                    // this run is stale.
                    run.Handoff = Guid.NewGuid();
                }

                saved = await TrySaveAsync(run, cancellationToken);
                if (saved && db.Database.CurrentTransaction is { } begun)
                {
                    await begun.CommitAsync(cancellationToken);
                }
            }
            finally
            {
                // A transaction the step began and did not commit (a lost race, a failure) is rolled back with its writes.
                if (db.Database.CurrentTransaction is { } open)
                {
                    await open.DisposeAsync();
                }
            }

            if (!saved)
            {
                // Rolled back whole. Another worker that moved the run carries on with it; a run still where it
                // was lost to another writer of what the step touches, or only had its lease renewed by the sweep,
                // and the step is tried again.
                if (++clashes > MaxClashes || await MovedOnAsync(run.Id, pointer, handoffRead, cancellationToken))
                {
                    LogLostRace(run.Id);
                    return;
                }

                LogClash(run.Id, node.Index);
                continue;
            }

            afterCommit.Flush();
            metrics.RecordStep();
            LogStep(run.Id, node.Index, outcome ?? "waiting for an open or click");

            if (run.Status == RunStatus.Waiting)
            {
                scheduler.ScheduleWake(run.TenantId, run.DueAt, await DescribeAsync(workflow, program, run.NextStep, cancellationToken));
                return;
            }

            if (run.Status != RunStatus.Running)
            {
                return;
            }
        }

        // A long stretch of non-wait steps: the rest goes to a fresh job rather than holding this one.
        scheduler.Enqueue(tenantId, runId, held ?? Guid.NewGuid(), "continue");
    }

    private static void Finish(WorkflowRun run, RunStatus status, DateTimeOffset now)
    {
        run.Status = status;
        run.FinishedAt = now;
        run.NextStep = null;
        if (run.EnrolmentKey?.EndsWith(":active", StringComparison.Ordinal) == true)
        {
            // Re-entry allowed: the lead may enrol again now this run is over.
            run.EnrolmentKey = null;
        }
    }

    /// <summary>Saves with the revision check; false (and nothing handed off) when a unique key or the revision says another writer got there first.</summary>
    private async Task<bool> TrySaveAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        run.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (db.IsLostRace(ex))
        {
            afterCommit.Discard();
            return false;
        }
    }

    /// <summary>
    /// Whether another worker moved the run on since it was read: took a step (its position moved), handed it to a newer
    /// job, or ended or paused it. A bare change of revision is not enough: the sweep's claim of a run whose lease lapsed
    /// while its job was queued bumps the revision and keeps the hand-off and position, and the job holding that hand-off
    /// is still entitled to the step. Stopping there left the run to the sweep's own job, queued behind the whole backlog.
    /// </summary>
    private Task<bool> MovedOnAsync(Guid runId, int nextStep, Guid? handoff, CancellationToken cancellationToken) =>
        db.WorkflowRuns.AsNoTracking().AnyAsync(
            r => r.Id == runId
                && (r.NextStep != nextStep || r.Handoff != handoff || (r.Status != RunStatus.Running && r.Status != RunStatus.Waiting)),
            cancellationToken);

    private async Task<string> DescribeAsync(Workflow workflow, WorkflowProgram program, int? pointer, CancellationToken cancellationToken) =>
        WakeDescription(workflow.Name, program, pointer, pointer is { } p && p < program.Nodes.Count ? await TemplateNamesAsync(program[p].Step, cancellationToken) : NoTemplates);

    /// <summary>How /hangfire names the wake of a run waiting before <paramref name="pointer"/>: the workflow and the step that comes next.</summary>
    internal static string WakeDescription(string workflowName, WorkflowProgram program, int? pointer, IReadOnlyDictionary<Guid, string> templateNames)
    {
        var next = pointer is { } p && p < program.Nodes.Count ? StepText.Describe(program[p].Step, templateNames) : "finish";
        return $"{workflowName}, step {next}";
    }

    /// <summary>The tenant's template names by id, the two columns only.</summary>
    internal static async Task<IReadOnlyDictionary<Guid, string>> ReadTemplateNamesAsync(ClientFlowDbContext db, CancellationToken cancellationToken) =>
        await db.EmailTemplates.AsNoTracking().Select(t => new { t.Id, t.Name }).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);

    /// <summary>
    /// Template names for the label of <paramref name="step"/>: none read for a step that names no template, else read
    /// once per job and only the two columns (EF's <c>ToDictionaryAsync</c> on the entity would load every template's
    /// bodies for each step; the benchmark's engine figure measured it).
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, string>> TemplateNamesAsync(WorkflowStep step, CancellationToken cancellationToken) =>
        !StepText.NamesATemplate(step)
            ? NoTemplates
            : _templateNames ??= await ReadTemplateNamesAsync(db, cancellationToken);

    internal static readonly IReadOnlyDictionary<Guid, string> NoTemplates = new Dictionary<Guid, string>();

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {StepIndex}: {Outcome}")]
    private partial void LogStep(Guid runId, int stepIndex, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed in a batch and was handed to a job of its own")]
    private partial void LogHandedToOwnJob(Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: this job's hand-off was superseded by a newer job; stopping")]
    private partial void LogSuperseded(Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: another worker already moved it on; stopping")]
    private partial void LogLostRace(Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {StepIndex}: another writer changed the same data at once; trying the step again")]
    private partial void LogClash(Guid runId, int stepIndex);
}
