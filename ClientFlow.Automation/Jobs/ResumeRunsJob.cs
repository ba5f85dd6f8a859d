using ClientFlow.Automation.Data;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Hands the runs a workflow turned back ON resumed to their jobs, outside the request that turned it ON (a workflow
/// with 100,000 paused runs made 100,000 job calls inside that request). Runs already due go out a hundred to a job;
/// a run still waiting gets a wake at its own time. Only runs still holding the resumption's hand-off are
/// handed out, so a retried job or a later OFF/ON never starts a second chain; a lost job costs the sweep's delay.
/// </summary>
public sealed class ResumeRunsJob(ClientFlowDbContext db, TenantScope tenantScope, IRunScheduler scheduler, TimeProvider clock)
{
    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Resume the runs of {3}")]
    public async Task RunAsync(Guid tenantId, Guid workflowId, Guid handoff, string workflowName, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            var runs = await db.WorkflowRuns.AsNoTracking()
                .Where(r => r.WorkflowId == workflowId && r.Handoff == handoff && r.Status == RunStatus.Waiting)
                .Select(r => new { r.Id, r.DueAt })
                .ToListAsync(cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var due in runs.Where(r => r.DueAt <= now).Chunk(AfterCommit.RunsPerJob))
            {
                scheduler.EnqueueMany(tenantId, [.. due.Select(r => (r.Id, handoff))], $"{workflowName}, resumed");
            }

            foreach (var waiting in runs.Where(r => r.DueAt > now))
            {
                scheduler.ScheduleWake(tenantId, waiting.DueAt, $"{workflowName}, resumed");
            }
        }
    }
}
