using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// The recovery sweep: every run that should be moving but has no live job (a waiting run past its
/// time plus a grace, a running run past its lease) is handed to a job again. The engine's tables are
/// the truth, so a crash, a restart or a lost in-memory job delays a step but never loses it.
/// </summary>
public sealed class EngineSweep(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    IRunScheduler scheduler,
    IOptions<EngineOptions> options,
    TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var waitingCutoff = now - settings.SweepGrace;
        List<(Guid TenantId, Guid Id, Guid? Handoff)> stuck;
        using (db.ReadAcrossTenants())
        {
            stuck = (await db.WorkflowRuns
                    .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                    .Where(r => (r.Status == RunStatus.Waiting && r.DueAt <= waitingCutoff) || (r.Status == RunStatus.Running && r.DueAt <= now))
                    .OrderBy(r => r.DueAt)
                    .Take(settings.SweepBatchSize)
                    .Select(r => new { r.TenantId, r.Id, r.Handoff })
                    .ToListAsync(cancellationToken))
                .Select(r => (r.TenantId, r.Id, r.Handoff))
                .ToList();
        }

        // Each hand-out is claimed by a conditional update of that run (still stuck, still under the hand-off read above)
        // that renews its lease: a second sweep, on this node or another, finds the lease live and leaves the run alone.
        // The run keeps its hand-off, so a job that is only queued behind a backlog longer than the lease is not
        // superseded: whichever of the two jobs starts first takes the step, and the other finds the run moved on (its
        // revision and the (run, step) key make that so). A new hand-off here sent every run of a long backlog to the
        // back of the queue again each time its lease lapsed.
        var leaseUntil = now + settings.Lease;
        var handedOut = 0;
        foreach (var tenant in stuck.GroupBy(r => r.TenantId))
        {
            var taken = new List<(Guid RunId, Guid Handoff)>();
            using (tenantScope.Enter(tenant.Key))
            {
                foreach (var (_, runId, known) in tenant)
                {
                    var handoff = known ?? Guid.NewGuid();
                    var claimed = await db.WorkflowRuns
                        .Where(r => r.Id == runId && r.Handoff == known
                            && ((r.Status == RunStatus.Waiting && r.DueAt <= waitingCutoff) || (r.Status == RunStatus.Running && r.DueAt <= now)))
                        .ExecuteUpdateAsync(s => DueRuns.Claim(s, handoff, leaseUntil), cancellationToken);
                    if (claimed == 1)
                    {
                        taken.Add((runId, handoff));
                    }
                }
            }

            foreach (var (runId, handoff) in taken)
            {
                scheduler.Enqueue(tenant.Key, runId, handoff, "recovered by the sweep");
            }

            handedOut += taken.Count;
        }

        return handedOut;
    }
}
