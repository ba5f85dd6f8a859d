using ClientFlow.Automation.Jobs;
using Hangfire;

namespace ClientFlow.Automation.Outbox;

/// <summary>Hands outbox rows to Hangfire. A failure to enqueue loses nothing: the row stays due and the sweep finds it.</summary>
public sealed class OutboxJobs(IBackgroundJobClient jobs)
{
    public void Enqueue(Guid tenantId, Guid operationId) =>
        jobs.Enqueue<OutboxJob>(j => j.RunAsync(tenantId, operationId, CancellationToken.None));

    public void Schedule(Guid tenantId, Guid operationId, TimeSpan delay) =>
        jobs.Schedule<OutboxJob>(j => j.RunAsync(tenantId, operationId, CancellationToken.None), delay);
}
