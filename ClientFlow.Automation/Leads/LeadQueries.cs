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
    /// after the last one"), so a few dozen tags cost a few dozen seeks, where DISTINCT read every tag of every lead.
    /// </summary>
    public static async Task<IReadOnlyList<string>> TagSlugsAsync(this ClientFlowDbContext db, CancellationToken cancellationToken)
    {
        var slugs = new List<string>();
        var after = string.Empty;
#pragma warning disable CA1309 // Translated to SQL "Slug > @after": the database's collation orders, as ORDER BY did before.
        while (await db.LeadTags.Where(t => string.Compare(t.Slug, after) > 0).MinAsync(t => (string?)t.Slug, cancellationToken) is { } next)
#pragma warning restore CA1309
        {
            slugs.Add(next);
            after = next;
        }

        return slugs;
    }
}
