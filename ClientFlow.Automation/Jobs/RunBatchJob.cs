using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job for runs started together (an import batch, a capture that enrols in several workflows): one job
/// advances each run in turn, each as the holder of its own hand-off and with its own transaction per step, as
/// <see cref="RunJob"/> does for one. A hundred runs cost one job's bookkeeping instead of a hundred. A run whose step
/// throws is handed to a <see cref="RunJob"/> of its own (retried and visible in /hangfire) and the rest go on; a
/// retried batch does nothing twice, since a run that moved on has a new hand-off or is finished.
/// </summary>
public sealed partial class RunBatchJob(TenantScope tenantScope, RunAdvancer advancer, IRunScheduler scheduler, ILogger<RunBatchJob> logger)
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
            for (var i = 0; i < runIds.Length; i++)
            {
                using (logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = tenantId, ["RunId"] = runIds[i] }))
                {
                    try
                    {
                        await advancer.AdvanceAsync(runIds[i], handoffs[i], cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogHandedToOwnJob(ex, runIds[i]);
                        scheduler.Enqueue(tenantId, runIds[i], handoffs[i], description);
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed in a batch and was handed to a job of its own")]
    private partial void LogHandedToOwnJob(Exception exception, Guid runId);
}
