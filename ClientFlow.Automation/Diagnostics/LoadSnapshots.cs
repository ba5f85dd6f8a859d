using System.Data.Common;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Systeme;
using ClientFlow.Automation.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Diagnostics;

/// <summary>
/// Reads the <see cref="LoadSnapshot"/> the gauges report, across tenants (the named cross-tenant read, so PostgreSQL's
/// row-level security lets the app role count every tenant's rows; ids and times are never read, only aggregates).
/// <para>
/// A collection calls each observable gauge on its own, synchronously. One snapshot serves every gauge of a scrape, and
/// any scrape within <see cref="MaxAge"/>, so a scrape costs five aggregate queries, however many gauges and nodes ask.
/// Each query is bounded by an index: (Status, DueAt) on runs, (Status, NextAttemptAt) on outbox operations and inbound
/// events, the key of the budget row.
/// </para>
/// <para>
/// A database that cannot be read is logged and leaves the gauges out of the scrape (the counters and the runtime
/// meters still report), and the failure is kept for <see cref="MaxAge"/> too, so an outage costs one attempt per scrape.
/// </para>
/// </summary>
internal sealed partial class LoadSnapshots(
    IServiceScopeFactory scopes,
    IOptions<EngineOptions> engine,
    IOptions<SystemeOptions> systeme,
    TimeProvider clock,
    ILogger<LoadSnapshots> logger)
{
    /// <summary>Long enough for one scrape's gauges to share a snapshot, far shorter than any scrape interval.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private LoadSnapshot? _snapshot;
    private DateTimeOffset? _readAt;

    /// <summary>The snapshot of this scrape; null when the database could not be read.</summary>
    public LoadSnapshot? Current()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_readAt is not { } readAt || now - readAt >= MaxAge)
            {
                _snapshot = TryRead(now);
                _readAt = now;
            }

            return _snapshot;
        }
    }

    private LoadSnapshot? TryRead(DateTimeOffset now)
    {
        try
        {
            using var scope = scopes.CreateScope();
            return Read(scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>(), now);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            LogUnreadable(ex);
            return null;
        }
    }

    private LoadSnapshot Read(ClientFlowDbContext db, DateTimeOffset now)
    {
        // The sweep's own test (EngineSweep): a waiting run this late, or a running run past its lease, has lost its job.
        var lateBefore = now - engine.Value.SweepGrace;
        // Offline, Systeme.io rows are parked until a key is set (the dispatcher and the sweep leave them): not work due.
        var offline = systeme.Value.IsOffline;
        int runsDue, runsLate, outboxDepth, deadLettered;
        DateTimeOffset? oldestRun, oldestOperation;
        using (db.ReadAcrossTenants())
        {
            var runs = db.WorkflowRuns
                .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .Where(r => (r.Status == RunStatus.Waiting || r.Status == RunStatus.Running) && r.DueAt <= now)
                .GroupBy(_ => 1)
                .Select(g => new { Due = g.Count(), Late = g.Count(r => r.Status == RunStatus.Running || r.DueAt <= lateBefore), Oldest = g.Min(r => r.DueAt) })
                .SingleOrDefault();
            (runsDue, runsLate, oldestRun) = (runs?.Due ?? 0, runs?.Late ?? 0, runs?.Oldest);

            var outbox = db.OutboundOperations
                .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .Where(o => o.Status == OutboundStatus.Pending && o.NextAttemptAt <= now)
                .Where(o => !offline || (o.Kind != OutboundKind.SystemeLeadSync && o.Kind != OutboundKind.SystemeTagRemoval && o.Kind != OutboundKind.SystemeErasure))
                .GroupBy(_ => 1)
                .Select(g => new { Depth = g.Count(), Oldest = g.Min(o => o.NextAttemptAt) })
                .SingleOrDefault();
            (outboxDepth, oldestOperation) = (outbox?.Depth ?? 0, outbox?.Oldest);

            deadLettered = db.OutboundOperations
                .IgnoreQueryFilters([ClientFlowDbContext.TenantFilter])
                .Count(o => o.Status == OutboundStatus.DeadLettered);
        }

        // The inbox and the budget belong to the platform, not to a tenant: no filter, no policy.
        var inbox = db.InboundEvents
            .Where(e => e.Status == InboundStatus.Pending || e.Status == InboundStatus.Processing)
            .GroupBy(_ => 1)
            .Select(g => new { Depth = g.Count(), Oldest = g.Min(e => e.ReceivedAt) })
            .SingleOrDefault();
        var budget = db.SystemeBudgets.AsNoTracking().SingleOrDefault(b => b.Id == SystemeBudget.AccountId);

        return new LoadSnapshot(
            runsDue,
            runsLate,
            SecondsSince(oldestRun, now),
            outboxDepth,
            SecondsSince(oldestOperation, now),
            deadLettered,
            inbox?.Depth ?? 0,
            SecondsSince(inbox?.Oldest, now),
            budget is null ? 0 : SystemeRateLimiter.Remaining(budget, systeme.Value.MaxRequestsPerSecond, now),
            SecondsUntil(budget?.PausedUntil, now));
    }

    private static double SecondsSince(DateTimeOffset? then, DateTimeOffset now) =>
        then is { } start && now > start ? (now - start).TotalSeconds : 0;

    private static double SecondsUntil(DateTimeOffset? until, DateTimeOffset now) =>
        until is { } end && end > now ? (end - now).TotalSeconds : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the load figures for /metrics; their gauges are left out of this scrape")]
    private partial void LogUnreadable(Exception exception);
}
