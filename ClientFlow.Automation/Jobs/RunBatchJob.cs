using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job for runs started together (an import batch, a capture that enrols in several workflows): one job
/// advances each run in turn, each as the holder of its own hand-off and with its own transaction per step, as
/// <see cref="RunJob"/> does for one. A hundred runs cost one job's bookkeeping instead of a hundred. A run whose step
/// throws is handed to a <see cref="RunJob"/> of its own (retried and visible in /hangfire) and the rest go on; a
/// retried batch does nothing twice, since a run that moved on has a new hand-off or is finished.
/// </summary>
public sealed class RunBatchJob(TenantScope tenantScope, RunAdvancer advancer)
{
    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Advance {3} runs: {4}")]
    /// <param name="handoffs">The hand-off of each run, in the order of <paramref name="runIds"/>.</param>
    /// <param name="count">How many runs: only for the job's name in /hangfire.</param>
    public async Task RunAsync(Guid tenantId, Guid[] runIds, Guid[] handoffs, int count, string description, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            await advancer.AdvanceEachAsync(tenantId, [.. runIds.Zip(handoffs)], description, cancellationToken);
        }
    }
}
