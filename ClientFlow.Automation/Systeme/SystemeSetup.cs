using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// One IB's Systeme.io set-up as ClientFlow last saw it, for /Settings and the admin's page: its reconcile (the prefixed
/// tags found, the last pass), its last connection test, and when the newest webhook for its prefix arrived.
/// </summary>
public sealed record SystemeSetup(SystemeReconcile? Reconcile, SystemeConnectionTest? ConnectionTest, DateTimeOffset? LastWebhookAt)
{
    /// <summary>Reads the set-up of <paramref name="tenantId"/>, which must be the tenant in scope.</summary>
    public static async Task<SystemeSetup> ReadAsync(ClientFlowDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var reconcile = await db.SystemeReconciles.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        var test = await db.SystemeConnectionTests.AsNoTracking().SingleOrDefaultAsync(cancellationToken);

        // Inbound events are the platform's rows: the IB's are named by the tenant their prefix resolved to.
        var lastWebhook = await db.InboundEvents.Where(e => e.TenantId == tenantId).OrderByDescending(e => e.ReceivedAt)
            .Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(cancellationToken);
        return new SystemeSetup(reconcile, test, lastWebhook);
    }
}
