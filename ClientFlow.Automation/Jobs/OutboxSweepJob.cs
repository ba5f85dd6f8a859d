using ClientFlow.Automation.Outbox;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Recurring: hands every due outbox row to a job, so a lost job or a restart delays work but never loses it.</summary>
public sealed class OutboxSweepJob(OutboxSweep sweep)
{
    public const string RecurringId = "outbox-sweep";

    [Queue(JobQueues.Outbox)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Outbox: sweep due operations")]
    public Task RunAsync(CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);
}
