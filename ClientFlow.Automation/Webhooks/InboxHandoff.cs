using ClientFlow.Automation.Jobs;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Hands events this node stored to Hangfire off the request path: a webhook is answered once its row has committed,
/// and the events stored meanwhile go out as <see cref="InboxJob"/> batches of up to <see cref="EventsPerJob"/>. One job
/// per event cost the request more than storing it (the job storage's write queue is shared with the workers). An event
/// whose hand-off is lost is still pending with its lease, and the inbox sweep hands it out when the lease ends.
/// </summary>
public sealed partial class InboxHandoff(IBackgroundJobClient jobs, ILogger<InboxHandoff> logger) : JobHandoff<Guid>
{
    public const int EventsPerJob = 100;

    /// <summary>
    /// A burst of webhooks is processed in batches of up to <see cref="EventsPerJob"/> (one claim, one lead query and one
    /// transaction per IB); without the wait, each group the inbox committed went out as a job of a few events.
    /// </summary>
    protected override TimeSpan Linger => TimeSpan.FromMilliseconds(100);

    /// <summary>An event whose row has committed, to be processed by a job.</summary>
    public void Post(Guid eventId) => Write(eventId);

    protected override void HandOut(IReadOnlyList<Guid> posted)
    {
        foreach (var chunk in posted.Chunk(EventsPerJob))
        {
            try
            {
                jobs.Enqueue<InboxJob>(j => j.RunBatchAsync(chunk, chunk.Length, CancellationToken.None));
            }
            catch (Exception ex)
            {
                LogHandOffFailed(ex, chunk.Length);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand {Count} stored webhook events to a job; the inbox sweep hands them out after their lease")]
    private partial void LogHandOffFailed(Exception exception, int count);
}
