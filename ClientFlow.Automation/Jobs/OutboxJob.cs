using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Tenancy;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>Thin Hangfire job: enter the tenant, perform outbox rows. Retries are the outbox's own, not Hangfire's.</summary>
public sealed partial class OutboxJob(TenantScope tenantScope, OutboxDispatcher dispatcher, IServiceScopeFactory scopes, ILogger<OutboxJob> logger)
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

    /// <summary>
    /// Rows of one tenant handed out together (<see cref="OutboxHandoff"/>), each performed as <see cref="RunAsync"/>
    /// does, in a scope of its own, one after another. A row that throws keeps its claim until the lease ends, when the
    /// sweep hands it out again; the rest go on, and the job then fails with the rows that threw, so it shows in
    /// /hangfire as a single row's job does. Run again, it does nothing twice: a row performed is no longer claimable.
    /// </summary>
    /// <param name="count">How many rows: only for the job's name in /hangfire.</param>
    [Queue(JobQueues.Outbox)]
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Outbox: perform {2} operations")]
    public async Task RunBatchAsync(Guid tenantId, Guid[] operationIds, int count, CancellationToken cancellationToken)
    {
        List<Exception>? failures = null;
        foreach (var operationId in operationIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                using (scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenantId))
                {
                    await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchAsync(operationId, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailedInBatch(ex, operationId);
                (failures ??= []).Add(ex);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException($"{failures.Count} of {operationIds.Length} outbox operations failed; the sweep hands them out again after their lease.", failures);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox operation {OperationId} failed in a batch; the sweep hands it out again after its lease")]
    private partial void LogFailedInBatch(Exception exception, Guid operationId);
}
