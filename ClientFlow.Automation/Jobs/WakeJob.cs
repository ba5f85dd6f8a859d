using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job for waits that end: claims a batch of the tenant's due runs (<see cref="DueRuns"/>) and advances
/// each, with its own transaction per step, as <see cref="RunBatchJob"/> does. A full claim first hands the next batch
/// to another job, so a second in which thousands of waits end spreads over the workers; otherwise the tenant's next run
/// due within a second of this wake's time (or of now, if later) gets a wake at its own time: this wake fired before it,
/// early by the scheduler's poll or by another node's clock. One job advances up to
/// <see cref="DueRuns.ClaimSize"/> runs instead of one job for each wait.
/// </summary>
public sealed class WakeJob(TenantScope tenantScope, DueRuns dueRuns, RunAdvancer advancer, IRunScheduler scheduler, TimeProvider clock)
{
    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Advance the runs due at {1}: {2}")]
    public async Task RunAsync(Guid tenantId, DateTimeOffset dueAt, string description, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            var claim = await dueRuns.ClaimAsync(cancellationToken);
            var now = clock.GetUtcNow();
            if (claim.Full)
            {
                scheduler.ScheduleWake(tenantId, now, description);
            }
            else if (await dueRuns.NextDueAsync((dueAt > now ? dueAt : now) + WakeTimes.Second, cancellationToken) is { } next)
            {
                scheduler.ScheduleWake(tenantId, next, description);
            }

            await advancer.AdvanceEachAsync(tenantId, [.. claim.RunIds.Select(id => (id, claim.Handoff))], description, cancellationToken);
        }
    }
}
