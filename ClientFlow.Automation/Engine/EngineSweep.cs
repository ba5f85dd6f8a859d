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
        List<(Guid TenantId, Guid Id)> stuck;
        using (db.ReadAcrossTenants())
        {
            stuck = (await db.WorkflowRuns
                    .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                    .Where(r => (r.Status == RunStatus.Waiting && r.DueAt <= waitingCutoff) || (r.Status == RunStatus.Running && r.DueAt <= now))
                    .OrderBy(r => r.DueAt)
                    .Take(settings.SweepBatchSize)
                    .Select(r => new { r.TenantId, r.Id })
                    .ToListAsync(cancellationToken))
                .Select(r => (r.TenantId, r.Id))
                .ToList();
        }

        // Each hand-off is a conditional update that gives the run a new hand-off and a lease (a due waiting run
        // becomes running): the job it replaces is superseded, and the next sweep leaves the run alone until the
        // lease lapses, however many sweeps run.
        var leaseUntil = now + settings.Lease;
        var handedOut = 0;
        foreach (var tenant in stuck.GroupBy(r => r.TenantId))
        {
            var ids = tenant.Select(r => r.Id).ToList();
            var handoff = Guid.NewGuid();
            List<Guid> taken;
            using (tenantScope.Enter(tenant.Key))
            {
                await db.WorkflowRuns
                    .Where(r => ids.Contains(r.Id) && ((r.Status == RunStatus.Waiting && r.DueAt <= waitingCutoff) || (r.Status == RunStatus.Running && r.DueAt <= now)))
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(r => r.Status, RunStatus.Running)
                            .SetProperty(r => r.DueAt, leaseUntil)
                            .SetProperty(r => r.Handoff, handoff)
                            .SetProperty(r => r.Revision, r => r.Revision + 1),
                        cancellationToken);
                taken = await db.WorkflowRuns.Where(r => ids.Contains(r.Id) && r.Handoff == handoff).Select(r => r.Id).ToListAsync(cancellationToken);
            }

            foreach (var runId in taken)
            {
                scheduler.Enqueue(tenant.Key, runId, handoff, "recovered by the sweep");
            }

            handedOut += taken.Count;
        }

        return handedOut;
    }
}
