using ClientFlow.Automation.Data;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Finds due outbox rows that no job holds (never handed out, handed to a job that was lost, or claimed by
/// a worker whose lease lapsed) across tenants (ids only, through the named cross-tenant read). Each is
/// handed out by a conditional update in its own tenant's scope that takes a fresh lease, so a row is
/// handed to one job per lease however many sweeps run. Offline, Systeme.io rows wait.
/// </summary>
public sealed class OutboxSweep(
    ClientFlowDbContext db,
    TenantScope tenantScope,
    OutboxJobs jobs,
    IOptions<OutboxOptions> options,
    IOptions<SystemeOptions> systeme,
    TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var offline = systeme.Value.IsOffline;
        var now = clock.GetUtcNow();
        List<(Guid TenantId, Guid Id)> due;
        using (db.ReadAcrossTenants())
        {
            due = (await db.OutboundOperations
                    .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                    .Where(o => o.Status == OutboundStatus.Pending && o.NextAttemptAt <= now && (o.LeaseUntil == null || o.LeaseUntil <= now))
                    .Where(o => !offline || (o.Kind != OutboundKind.SystemeLeadSync && o.Kind != OutboundKind.SystemeTagRemoval && o.Kind != OutboundKind.SystemeErasure))
                    .OrderBy(o => o.NextAttemptAt)
                    .Take(options.Value.SweepBatchSize)
                    .Select(o => new { o.TenantId, o.Id })
                    .ToListAsync(cancellationToken))
                .Select(o => (o.TenantId, o.Id))
                .ToList();
        }

        var leaseUntil = now + options.Value.Lease;
        var handedOut = 0;
        foreach (var tenant in due.GroupBy(o => o.TenantId))
        {
            using (tenantScope.Enter(tenant.Key))
            {
                foreach (var (_, id) in tenant)
                {
                    // A lapsed claim's owner is dropped: it can no longer move the row on.
                    var taken = await db.OutboundOperations
                        .Where(o => o.Id == id && o.Status == OutboundStatus.Pending && (o.LeaseUntil == null || o.LeaseUntil <= now))
                        .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseOwner, (Guid?)null).SetProperty(o => o.LeaseUntil, leaseUntil), cancellationToken);
                    if (taken == 1)
                    {
                        jobs.Enqueue(tenant.Key, id);
                        handedOut++;
                    }
                }
            }
        }

        return handedOut;
    }
}
