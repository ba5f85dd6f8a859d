using ClientFlow.Automation.Webhooks;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Recurring: hands out inbound events whose job was lost (stored but never processed, or a worker died mid-way).</summary>
public sealed class InboxSweepJob(InboxProcessor processor)
{
    public const string RecurringId = "inbox-sweep";

    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Inbox: sweep unprocessed events")]
    public Task RunAsync(CancellationToken cancellationToken) => processor.SweepAsync(cancellationToken);
}
