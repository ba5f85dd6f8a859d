using ClientFlow.Automation.Webhooks;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job: process inbound events. Its argument is the event, not a tenant: the tenant
/// is learnt from the event (a tag prefix, a token), and the processor enters it.
/// </summary>
public sealed partial class InboxJob(InboxProcessor processor, IBackgroundJobClient jobs, ILogger<InboxJob> logger)
{
    [Queue(JobQueues.Engine)]
    // A failed event gives its claim back; retry it soon (a sweep every minute is the backstop).
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [1, 5, 30])]
    [JobDisplayName("Inbox: process event {0}")]
    public Task RunAsync(Guid eventId, CancellationToken cancellationToken) => processor.ProcessAsync(eventId, cancellationToken);

    /// <summary>
    /// Events handed out together (stored in one burst, or found by the sweep), processed as
    /// <see cref="InboxProcessor.ProcessBatchAsync"/> does. An event that fails gave its claim back and goes to a job of
    /// its own, retried and visible in /hangfire; the rest go on. A retried batch does nothing twice: a processed event is
    /// no longer claimable.
    /// </summary>
    /// <param name="count">How many events: only for the job's name in /hangfire.</param>
    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [1, 5, 30])]
    [JobDisplayName("Inbox: process {1} events")]
    public async Task RunBatchAsync(Guid[] eventIds, int count, CancellationToken cancellationToken)
    {
        foreach (var (eventId, error) in await processor.ProcessBatchAsync(eventIds, cancellationToken))
        {
            LogHandedToOwnJob(error, eventId);
            jobs.Enqueue<InboxJob>(j => j.RunAsync(eventId, CancellationToken.None));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound event {EventId} failed in a batch and was handed to a job of its own")]
    private partial void LogHandedToOwnJob(Exception exception, Guid eventId);
}
