using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// The admin's named, audited path across tenants. It is the only code that lifts the tenant
/// filter (and, on PostgreSQL, the row-level security policy), and it only reads.
/// </summary>
public sealed class TenantDirectory(ClientFlowDbContext db, TimeProvider clock)
{
    public async Task<IReadOnlyList<TenantSummary>> ListAsync(string actorUserId, CancellationToken cancellationToken)
    {
        Dictionary<Guid, int> leadCounts;
        List<(Guid TenantId, string Email)> owners;
        List<Tenant> tenants;
        using (db.ReadAcrossTenants())
        {
            leadCounts = await db.Leads
                .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .GroupBy(l => l.TenantId)
                .Select(g => new { TenantId = g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.TenantId, g => g.Count, cancellationToken);

            owners = (await db.Users
                    .Where(u => u.TenantId != null)
                    .Select(u => new { TenantId = u.TenantId!.Value, u.Email })
                    .ToListAsync(cancellationToken))
                .Select(o => (o.TenantId, o.Email ?? string.Empty))
                .ToList();

            tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.TagPrefix).ToListAsync(cancellationToken);
        }

        await AuditAsync(actorUserId, "admin.tenants.list", null, cancellationToken);

        var ownersByTenant = owners.ToLookup(o => o.TenantId, o => o.Email);
        return tenants
            .Select(t => new TenantSummary(
                t.Id,
                t.Name,
                t.TagPrefix,
                ownersByTenant[t.Id].Order(StringComparer.OrdinalIgnoreCase).ToList(),
                leadCounts.GetValueOrDefault(t.Id),
                t.MaxLeads,
                t.MaxWorkflows,
                t.MaxTemplates,
                t.CreatedAt,
                t.IsStarterPack))
            .ToList();
    }

    /// <summary>Changes a tenant's lead limit, recording who did it and the old and new values.</summary>
    public async Task<bool> SetMaxLeadsAsync(string actorUserId, Guid tenantId, int maxLeads, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLeads);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return false;
        }

        var previous = tenant.MaxLeads;
        tenant.MaxLeads = maxLeads;
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            ActorUserId = actorUserId,
            Action = "admin.tenant.max-leads",
            TenantId = tenantId,
            Detail = $"{previous} -> {maxLeads}",
        });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Sets a tenant's own daily limits (null: the platform's, <see cref="DailyLimitOptions"/>), recording who did it and the old and new values.</summary>
    public async Task<bool> SetDailyLimitsAsync(string actorUserId, Guid tenantId, int? testSends, int? notifications, int? sms, CancellationToken cancellationToken)
    {
        foreach (var limit in new[] { testSends, notifications, sms })
        {
            if (limit is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(tenantId), "A daily limit is not negative.");
            }
        }

        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return false;
        }

        static string Show(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default";
        var detail = $"test sends {Show(tenant.DailyTestSends)} -> {Show(testSends)}, notifications {Show(tenant.DailyNotifications)} -> {Show(notifications)}, sms {Show(tenant.DailySms)} -> {Show(sms)}";
        tenant.DailyTestSends = testSends;
        tenant.DailyNotifications = notifications;
        tenant.DailySms = sms;
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = "admin.tenant.daily-limits", TenantId = tenantId, Detail = detail });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task AuditAsync(string actorUserId, string action, Guid? tenantId, CancellationToken cancellationToken)
    {
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = action, TenantId = tenantId });
        await db.SaveChangesAsync(cancellationToken);
    }
}
