using ClientFlow.Automation.Engine;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Recurring: re-hands every run that is due but has no live job.</summary>
public sealed class EngineSweepJob(EngineSweep sweep)
{
    public const string RecurringId = "engine-sweep";

    [Queue(JobQueues.Engine)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Engine: recover due runs")]
    public Task RunAsync(CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);
}
