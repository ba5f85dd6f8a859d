using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Counters;

public static class TenantCounterQueries
{
    /// <summary>The IB's counts in one query (a few rows each), by name; a count with no rows yet is absent.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> CountersAsync(this ClientFlowDbContext db, CancellationToken cancellationToken) =>
        await db.TenantCounters.AsNoTracking()
            .GroupBy(c => c.Name)
            .Select(g => new { Name = g.Key, Value = g.Sum(c => c.Value) })
            .ToDictionaryAsync(c => c.Name, c => (int)c.Value, cancellationToken);

    /// <summary>One of the IB's counts (its shards summed).</summary>
    public static async Task<int> CounterAsync(this ClientFlowDbContext db, string name, CancellationToken cancellationToken) =>
        (int)await db.TenantCounters.Where(c => c.Name == name).SumAsync(c => c.Value, cancellationToken);

    /// <summary>Each workflow's runs not yet ended (its shards summed); a workflow that never had one is absent.</summary>
    public static async Task<IReadOnlyDictionary<Guid, int>> LiveRunsPerWorkflowAsync(this ClientFlowDbContext db, CancellationToken cancellationToken)
    {
        const string prefix = TenantCounterTriggers.LiveRunsPerWorkflow + ":";
        var counts = await db.TenantCounters.AsNoTracking()
            .Where(c => c.Name.StartsWith(prefix))
            .GroupBy(c => c.Name)
            .Select(g => new { Name = g.Key, Value = g.Sum(c => c.Value) })
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(c => Guid.Parse(c.Name.AsSpan(prefix.Length)), c => (int)c.Value);
    }

    public static int Of(this IReadOnlyDictionary<string, int> counters, string name) => counters.GetValueOrDefault(name);
}
