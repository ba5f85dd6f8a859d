using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job: enter the tenant, advance one run as the holder of <paramref name="handoff"/>
/// (a superseded job does nothing). The description only names the job in /hangfire.
/// </summary>
public sealed class RunJob(TenantScope tenantScope, RunAdvancer advancer, ILogger<RunJob> logger)
{
    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Advance run {1}: {3}")]
    public async Task RunAsync(Guid tenantId, Guid runId, Guid handoff, string description, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        using (logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = tenantId, ["RunId"] = runId }))
        {
            await advancer.AdvanceAsync(runId, handoff, cancellationToken);
        }
    }
}
