using ClientFlow.Automation.Engine;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// The engine's scheduler on Hangfire: a wait becomes a delayed job. The delay is measured on the
/// engine's clock (the one that set <see cref="WorkflowRun.DueAt"/>), and a run already due is enqueued.
/// </summary>
public sealed class HangfireRunScheduler(IBackgroundJobClient jobs, TimeProvider clock) : IRunScheduler
{
    public void Enqueue(Guid tenantId, Guid runId, Guid handoff, string description) =>
        jobs.Enqueue<RunJob>(j => j.RunAsync(tenantId, runId, handoff, Short(description), CancellationToken.None));

    public void EnqueueMany(Guid tenantId, IReadOnlyList<(Guid RunId, Guid Handoff)> runs, string description)
    {
        var runIds = runs.Select(r => r.RunId).ToArray();
        var handoffs = runs.Select(r => r.Handoff).ToArray();
        jobs.Enqueue<RunBatchJob>(j => j.RunAsync(tenantId, runIds, handoffs, runIds.Length, Short(description), CancellationToken.None));
    }

    public void ResumeWorkflow(Guid tenantId, Guid workflowId, Guid handoff, string workflowName) =>
        jobs.Enqueue<ResumeRunsJob>(j => j.RunAsync(tenantId, workflowId, handoff, Short(workflowName), CancellationToken.None));

    public void Schedule(Guid tenantId, Guid runId, Guid handoff, string description, DateTimeOffset dueAt)
    {
        var delay = dueAt - clock.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(tenantId, runId, handoff, description);
            return;
        }

        jobs.Schedule<RunJob>(j => j.RunAsync(tenantId, runId, handoff, Short(description), CancellationToken.None), delay);
    }

    private static string Short(string description) => description.Length > 200 ? description[..200] : description;
}
