using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job for waits that end: claims a batch of the tenant's due runs (<see cref="DueRuns"/>) and advances
/// each, with its own transaction per step, as <see cref="RunBatchJob"/> does. A full claim first hands the next batch
/// to another job, so a second in which thousands of waits end spreads over the workers. Otherwise the wake stays with
/// its second: while the tenant has a run due within a second of the wake's time (or of now, if later), it waits for
/// that run's time and claims again. It fired before them (early by the scheduler's poll, or by another node's clock),
/// and a delayed job for each would wait for the scheduler again: on PostgreSQL storage with two nodes that was measured
/// at up to 17 s. One job advances the runs of a second instead of one job for each wait.
/// </summary>
public sealed partial class WakeJob(TenantScope tenantScope, DueRuns dueRuns, RunAdvancer advancer, IRunScheduler scheduler, TimeProvider clock, ILogger<WakeJob> logger)
{
    /// <summary>Claims one wake makes for the rest of its second before handing the rest to another wake (queued at once when due within a second).</summary>
    private const int MaxRounds = 20;

    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Advance the runs due at {1}: {2}")]
    public async Task RunAsync(Guid tenantId, DateTimeOffset dueAt, string description, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            var start = clock.GetUtcNow();
            var until = (dueAt > start ? dueAt : start) + WakeTimes.Second;
            for (var round = 0; ; round++)
            {
                var claim = await dueRuns.ClaimAsync(cancellationToken);
                LogClaimed(claim.RunIds.Count, dueAt, claim.Full);
                if (claim.Full)
                {
                    // The next batch goes to another worker at once; that job then carries the rest of the second.
                    scheduler.ScheduleWake(tenantId, clock.GetUtcNow(), description);
                }

                await advancer.AdvanceEachAsync(tenantId, [.. claim.RunIds.Select(id => (id, claim.Handoff))], description, cancellationToken);
                if (claim.Full || await dueRuns.NextDueAsync(until, cancellationToken) is not { } next)
                {
                    return;
                }

                if (round == MaxRounds)
                {
                    scheduler.ScheduleWake(tenantId, next, description);
                    return;
                }

                var delay = next - clock.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wake for {DueAt:O}: claimed {Count} due runs (a full claim: {Full})")]
    private partial void LogClaimed(int count, DateTimeOffset dueAt, bool full);
}
