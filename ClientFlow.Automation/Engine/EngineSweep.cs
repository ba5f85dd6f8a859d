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
        List<(Guid TenantId, Guid Id, RunStatus Status)> stuck;
        using (db.ReadAcrossTenants())
        {
            stuck = (await db.WorkflowRuns
                    .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                    .Where(r => (r.Status == RunStatus.Waiting && r.DueAt <= waitingCutoff) || (r.Status == RunStatus.Running && r.DueAt <= now))
                    .OrderBy(r => r.DueAt)
                    .Take(settings.SweepBatchSize)
                    .Select(r => new { r.TenantId, r.Id, r.Status })
                    .ToListAsync(cancellationToken))
                .Select(r => (r.TenantId, r.Id, r.Status))
                .ToList();
        }

        var leaseUntil = now + settings.Lease;
        foreach (var tenant in stuck.GroupBy(r => r.TenantId))
        {
            var running = tenant.Where(r => r.Status == RunStatus.Running).Select(r => r.Id).ToList();
            if (running.Count > 0)
            {
                using (tenantScope.Enter(tenant.Key))
                {
                    await db.WorkflowRuns
                        .Where(r => running.Contains(r.Id) && r.Status == RunStatus.Running)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, leaseUntil), cancellationToken);
                }
            }

            foreach (var run in tenant)
            {
                scheduler.Enqueue(tenant.Key, run.Id, "recovered by the sweep");
            }
        }

        return stuck.Count;
    }
}
