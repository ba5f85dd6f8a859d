using ClientFlow.Automation.Engine;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// The engine's scheduler on Hangfire: a wait's end becomes a delayed <see cref="WakeJob"/>, one per tenant and second
/// of due time on this node (<see cref="WakeTimes"/>). The delay is measured on the engine's clock (the one that set
/// <see cref="WorkflowRun.DueAt"/>), and a wake due within a second is enqueued.
/// </summary>
public sealed class HangfireRunScheduler(IBackgroundJobClient jobs, WakeTimes wakes, TimeProvider clock) : IRunScheduler
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

    public void ScheduleWake(Guid tenantId, DateTimeOffset dueAt, string description)
    {
        var now = clock.GetUtcNow();
        if (!wakes.TryBook(tenantId, dueAt, now))
        {
            return;
        }

        try
        {
            // A wake due within a second is queued now: it waits for its runs itself and claims none early (WakeJob).
            // Hangfire's delayed-job scheduler polls once a second and, on PostgreSQL with two nodes, was seen to move a
            // due job 25 s late; a wake that hands on the rest of its second must not wait for it.
            var delay = dueAt - now;
            if (delay <= WakeTimes.Second)
            {
                jobs.Enqueue<WakeJob>(j => j.RunAsync(tenantId, dueAt, Short(description), CancellationToken.None));
            }
            else
            {
                jobs.Schedule<WakeJob>(j => j.RunAsync(tenantId, dueAt, Short(description), CancellationToken.None), delay);
            }
        }
        catch
        {
            wakes.Release(tenantId, dueAt);
            throw;
        }
    }

    private static string Short(string description) => description.Length > 200 ? description[..200] : description;
}
