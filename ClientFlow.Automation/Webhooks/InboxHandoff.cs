using System.Threading.Channels;
using ClientFlow.Automation.Jobs;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Hands events this node stored to Hangfire off the request path: a webhook is answered once its row has committed,
/// and this loop enqueues the events stored meanwhile as one <see cref="InboxJob"/> batch of up to
/// <see cref="EventsPerJob"/>. One job per event cost the request more than storing it (the job storage's write queue
/// is shared with the workers), and batches form by themselves under load: a quiet inbox still sends each event at once.
/// An event whose hand-off is lost (the process stops, the job storage is down) is still pending with its lease, and the
/// inbox sweep hands it out when the lease ends.
/// </summary>
public sealed partial class InboxHandoff(IBackgroundJobClient jobs, ILogger<InboxHandoff> logger) : BackgroundService
{
    public const int EventsPerJob = 100;

    private readonly Channel<Guid> _stored = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>An event whose row has committed, to be processed by a job.</summary>
    public void Post(Guid eventId) => _stored.Writer.TryWrite(eventId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Guid>(EventsPerJob);
        try
        {
            while (await _stored.Reader.WaitToReadAsync(stoppingToken))
            {
                HandOut(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is already stored still goes out below.
        }

        HandOut(batch);
    }

    private void HandOut(List<Guid> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < EventsPerJob && _stored.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }

            if (batch.Count == 0)
            {
                return;
            }

            Guid[] eventIds = [.. batch];
            try
            {
                jobs.Enqueue<InboxJob>(j => j.RunBatchAsync(eventIds, eventIds.Length, CancellationToken.None));
            }
            catch (Exception ex)
            {
                LogHandOffFailed(ex, eventIds.Length);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand {Count} stored webhook events to a job; the inbox sweep hands them out after their lease")]
    private partial void LogHandOffFailed(Exception exception, int count);
}
