using System.Threading.Channels;
using ClientFlow.Automation.Jobs;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Hands outbox rows to Hangfire from a background loop: the rows posted meanwhile go out as one <see cref="OutboxJob"/>
/// batch per tenant of up to <see cref="OperationsPerJob"/>, a lone row as a job of its own. Each due run used to cost two
/// jobs, its own and the delivery job of the tag or email it wrote, and a job's bookkeeping (on PostgreSQL storage about
/// ten statements) cost more than most deliveries. Batches form by themselves under load; a quiet outbox sends each row at
/// once. Batches are kept small so a slow dependency delays few rows behind one another, while the other workers take
/// the other batches. A row whose hand-off is lost (the process stops, the job storage is down) is still pending, and
/// the outbox sweep hands it out.
/// </summary>
public sealed partial class OutboxHandoff(IBackgroundJobClient jobs, ILogger<OutboxHandoff> logger) : BackgroundService
{
    public const int OperationsPerJob = 20;

    private readonly Channel<(Guid TenantId, Guid OperationId)> _posted =
        Channel.CreateUnbounded<(Guid TenantId, Guid OperationId)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>A row whose transaction has committed, to be performed by a job.</summary>
    public void Post(Guid tenantId, Guid operationId) => _posted.Writer.TryWrite((tenantId, operationId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _posted.Reader.WaitToReadAsync(stoppingToken))
            {
                HandOut();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is already posted still goes out below.
        }

        HandOut();
    }

    private void HandOut()
    {
        var posted = new List<(Guid TenantId, Guid OperationId)>();
        while (_posted.Reader.TryRead(out var row))
        {
            posted.Add(row);
        }

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
