using ClientFlow.Automation.Data;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Finds due outbox rows across tenants (ids only, through the named cross-tenant read), leases
/// them in their own tenant's scope, and enqueues a job for each. Offline, Systeme.io rows wait.
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
                    .Where(o => o.Status == OutboundStatus.Pending && o.NextAttemptAt <= now)
                    .Where(o => !offline || (o.Kind != OutboundKind.SystemeLeadSync && o.Kind != OutboundKind.SystemeTagRemoval))
                    .OrderBy(o => o.NextAttemptAt)
                    .Take(options.Value.SweepBatchSize)
                    .Select(o => new { o.TenantId, o.Id })
                    .ToListAsync(cancellationToken))
                .Select(o => (o.TenantId, o.Id))
                .ToList();
        }

        var leaseUntil = now + options.Value.Lease;
        foreach (var tenant in due.GroupBy(o => o.TenantId))
        {
            var ids = tenant.Select(o => o.Id).ToList();
            using (tenantScope.Enter(tenant.Key))
            {
                await db.OutboundOperations
                    .Where(o => ids.Contains(o.Id) && o.Status == OutboundStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.NextAttemptAt, leaseUntil), cancellationToken);
            }

            foreach (var id in ids)
            {
                jobs.Enqueue(tenant.Key, id);
            }
        }

        return due.Count;
    }
}
