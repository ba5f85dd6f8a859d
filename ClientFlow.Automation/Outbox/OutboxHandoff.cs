using ClientFlow.Automation.Jobs;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Hands outbox rows to Hangfire: the rows posted meanwhile go out as one <see cref="OutboxJob"/> batch per tenant of up
/// to <see cref="OperationsPerJob"/>, a lone row as a job of its own. Each due run used to cost two jobs, its own and the
/// delivery job of the tag or email it wrote, and a job's bookkeeping cost more than most deliveries. Batches are kept
/// small so a slow dependency delays few rows behind one another, while the other workers take the other batches. A
/// row whose hand-off is lost is still pending, and the outbox sweep hands it out.
/// </summary>
public sealed partial class OutboxHandoff(IBackgroundJobClient jobs, ILogger<OutboxHandoff> logger) : JobHandoff<(Guid TenantId, Guid OperationId)>
{
    public const int OperationsPerJob = 20;

    /// <summary>A row whose transaction has committed, to be performed by a job.</summary>
    public void Post(Guid tenantId, Guid operationId) => Write((tenantId, operationId));

    protected override void HandOut(IReadOnlyList<(Guid TenantId, Guid OperationId)> posted)
    {
        foreach (var tenant in posted.GroupBy(r => r.TenantId))
        {
            foreach (var chunk in tenant.Select(r => r.OperationId).Chunk(OperationsPerJob))
            {
                var tenantId = tenant.Key;
                try
                {
                    if (chunk.Length == 1)
                    {
                        var operationId = chunk[0];
                        jobs.Enqueue<OutboxJob>(j => j.RunAsync(tenantId, operationId, CancellationToken.None));
                    }
                    else
                    {
                        jobs.Enqueue<OutboxJob>(j => j.RunBatchAsync(tenantId, chunk, chunk.Length, CancellationToken.None));
                    }
                }
                catch (Exception ex)
                {
                    LogHandOffFailed(ex, chunk.Length);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand {Count} outbox rows to a job; the outbox sweep hands them out")]
    private partial void LogHandOffFailed(Exception exception, int count);
}
