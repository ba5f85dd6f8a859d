using ClientFlow.Automation.Data;
using ClientFlow.Automation.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Moves a run on: one transaction per step (the step's effects, its <see cref="RunStep"/> and the
/// new position commit together), consecutive steps in one call, stopping at a wait or the end.
/// Re-entrant: a run that moved on, is paused or is not yet due is left as it is, and a step
/// another worker already committed fails on the (run, step) key or the run's revision and stops.
/// </summary>
public sealed partial class RunAdvancer(
    ClientFlowDbContext db,
    StepExecutor executor,
    AfterCommit afterCommit,
    IRunScheduler scheduler,
    IOptions<EngineOptions> options,
    TimeProvider clock,
    ILogger<RunAdvancer> logger)
{
    /// <summary>Steps one job runs before handing the rest of the run to a fresh job.</summary>
    public const int MaxStepsPerJob = 50;

    public async Task AdvanceAsync(Guid runId, CancellationToken cancellationToken)
    {
        var tenantId = Guid.Empty;
        for (var step = 0; step < MaxStepsPerJob; step++)
        {
            db.ChangeTracker.Clear();
            var run = await db.WorkflowRuns.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.Status is not (RunStatus.Running or RunStatus.Waiting))
            {
                return;
            }

            tenantId = run.TenantId;
            var now = clock.GetUtcNow();
            var workflow = await db.Workflows.AsNoTracking().SingleAsync(w => w.Id == run.WorkflowId, cancellationToken);
            var version = await db.WorkflowVersions.AsNoTracking().SingleAsync(v => v.Id == run.VersionId, cancellationToken);
            var program = WorkflowProgram.Compile(version.Definition);

            if (run.Status == RunStatus.Waiting && run.DueAt > now)
            {
                // Never early: a job that fires before its time (clock skew, a duplicate) waits again.
                scheduler.Schedule(run.TenantId, run.Id, await DescribeAsync(workflow, program, run.NextStep, cancellationToken), run.DueAt);
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
            run.Status = RunStatus.Running;
            run.DueAt = now + options.Value.Lease;

            string? outcome;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
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
                        Label = StepText.Describe(node.Step, await TemplateNamesAsync(cancellationToken)),
                        Outcome = outcome,
                        ExecutedAt = now,
                    });
                }

                if (!await TrySaveAsync(run, cancellationToken))
                {
                    return;
                }

                await transaction.CommitAsync(cancellationToken);
            }

            afterCommit.Flush();
            LogStep(run.Id, node.Index, outcome ?? "waiting for an open or click");

            if (run.Status == RunStatus.Waiting)
            {
                scheduler.Schedule(run.TenantId, run.Id, await DescribeAsync(workflow, program, run.NextStep, cancellationToken), run.DueAt);
                return;
            }

            if (run.Status != RunStatus.Running)
            {
                return;
            }
        }

        // A long stretch of non-wait steps: the rest goes to a fresh job rather than holding this one.
        scheduler.Enqueue(tenantId, runId, "continue");
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

    /// <summary>Saves with the revision check; false (and nothing handed off) when another worker got there first.</summary>
    private async Task<bool> TrySaveAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        run.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            afterCommit.Discard();
            LogLostRace(run.Id);
            return false;
        }
        catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
        {
            afterCommit.Discard();
            LogLostRace(run.Id);
            return false;
        }
    }

    private async Task<string> DescribeAsync(Workflow workflow, WorkflowProgram program, int? pointer, CancellationToken cancellationToken)
    {
        var names = await TemplateNamesAsync(cancellationToken);
        var next = pointer is { } p && p < program.Nodes.Count ? StepText.Describe(program[p].Step, names) : "finish";
        return $"{workflow.Name}, step {next}";
    }

    private async Task<IReadOnlyDictionary<Guid, string>> TemplateNamesAsync(CancellationToken cancellationToken) =>
        await db.EmailTemplates.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {StepIndex}: {Outcome}")]
    private partial void LogStep(Guid runId, int stepIndex, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: another worker already moved it on; stopping")]
    private partial void LogLostRace(Guid runId);
}
