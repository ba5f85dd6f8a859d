using ClientFlow.Automation.Webhooks;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Thin Hangfire job: process one inbound event. Its argument is the event, not a tenant: the tenant
/// is learnt from the event (a tag prefix, a token), and the processor enters it.
/// </summary>
public sealed class InboxJob(InboxProcessor processor)
{
    [Queue(JobQueues.Engine)]
    // A failed event gives its claim back; retry it soon (a sweep every minute is the backstop).
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [1, 5, 30])]
    [JobDisplayName("Inbox: process event {0}")]
    public Task RunAsync(Guid eventId, CancellationToken cancellationToken) => processor.ProcessAsync(eventId, cancellationToken);
}
