using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Leads;

/// <summary>
/// Figures the IB's pages show about their leads, each answered from an index range of the current tenant rather than
/// a pass over every lead (an IB with 100,000 leads loads them on every visit to / and /Leads).
/// </summary>
public static class LeadQueries
{
    /// <summary>
    /// The distinct tags on the IB's leads, in order: one seek per tag along the (tenant, slug) index ("the first slug
    /// after the last one"), so a few dozen tags cost a few dozen seeks, where DISTINCT read every tag of every lead. The
    /// seeks are one recursive query: one round trip, where a query per seek cost two on PostgreSQL (each opening of a
    /// pooled connection sets the session's tenant), twenty for the benchmark's nine tags.
    /// </summary>
    public static async Task<IReadOnlyList<string>> TagSlugsAsync(this ClientFlowDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = db.CurrentTenantId ?? throw new Tenancy.TenantIsolationException("Listing tags needs a tenant in scope.");
        return await db.Database.SqlQuery<string>($"""
            WITH RECURSIVE "Seeks"("Slug") AS (
                SELECT MIN("Slug") FROM "LeadTags" WHERE "TenantId" = {tenantId}
                UNION ALL
                SELECT (SELECT MIN(t."Slug") FROM "LeadTags" AS t WHERE t."TenantId" = {tenantId} AND t."Slug" > s."Slug")
                FROM "Seeks" AS s WHERE s."Slug" IS NOT NULL
            )
            SELECT "Slug" AS "Value" FROM "Seeks" WHERE "Slug" IS NOT NULL
            """).ToListAsync(cancellationToken);
    }
}
