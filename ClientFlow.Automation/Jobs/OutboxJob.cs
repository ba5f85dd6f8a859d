using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Thin Hangfire job: enter the tenant, perform one outbox row. Retries are the outbox's own, not Hangfire's.</summary>
public sealed class OutboxJob(TenantScope tenantScope, OutboxDispatcher dispatcher)
{
    [Queue(JobQueues.Outbox)]
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Outbox: perform operation {1}")]
    public async Task RunAsync(Guid tenantId, Guid operationId, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            await dispatcher.DispatchAsync(operationId, cancellationToken);
        }
    }
}
