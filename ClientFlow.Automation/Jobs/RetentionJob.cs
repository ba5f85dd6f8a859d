using ClientFlow.Automation.Retention;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Recurring (hourly): applies the retention settings. On the lowest-priority queue, since nothing waits on it;
/// no retry, since the next hour's run picks up where a failed one stopped.
/// </summary>
public sealed partial class RetentionJob(RetentionPruner pruner, ILogger<RetentionJob> logger)
{
    public const string RecurringId = "retention";

    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Retention: prune old email bodies, run steps, inbox events and outbox rows")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var pruned = await pruner.RunAsync(cancellationToken);
        LogPruned(pruned.EmailBodies, pruned.RunSteps, pruned.InboxEvents, pruned.OutboxOperations);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: blanked {EmailBodies} email bodies; deleted {RunSteps} run steps, {InboxEvents} inbox events and {OutboxOperations} outbox operations")]
    private partial void LogPruned(int emailBodies, int runSteps, int inboxEvents, int outboxOperations);
}
