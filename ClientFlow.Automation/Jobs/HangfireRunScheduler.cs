using ClientFlow.Automation.Engine;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>The engine's scheduler on Hangfire: waits become delayed jobs at the run's due time.</summary>
public sealed class HangfireRunScheduler(IBackgroundJobClient jobs) : IRunScheduler
{
    public void Enqueue(Guid tenantId, Guid runId, string description) =>
        jobs.Enqueue<RunJob>(j => j.RunAsync(tenantId, runId, Short(runId, description), CancellationToken.None));

    public void Schedule(Guid tenantId, Guid runId, string description, DateTimeOffset dueAt) =>
        jobs.Schedule<RunJob>(j => j.RunAsync(tenantId, runId, Short(runId, description), CancellationToken.None), dueAt);

    private static string Short(Guid runId, string description) => description.Length > 200 ? description[..200] : description;
}
