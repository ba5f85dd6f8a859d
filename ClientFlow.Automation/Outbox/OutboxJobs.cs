using ClientFlow.Automation.Jobs;
using Hangfire;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Hands outbox rows to Hangfire: due rows through <see cref="OutboxHandoff"/> (batched), retries as delayed jobs of
/// their own. A failure to enqueue loses nothing: the row stays due and the sweep finds it.
/// </summary>
public sealed class OutboxJobs(IBackgroundJobClient jobs, OutboxHandoff handoff)
{
    public void Enqueue(Guid tenantId, Guid operationId) => handoff.Post(tenantId, operationId);

    public void Schedule(Guid tenantId, Guid operationId, TimeSpan delay) =>
        jobs.Schedule<OutboxJob>(j => j.RunAsync(tenantId, operationId, CancellationToken.None), delay);
}
