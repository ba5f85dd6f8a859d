using ClientFlow.Automation.Systeme;
using Hangfire;

namespace ClientFlow.Automation.Jobs;

/// <summary>Runs an IB's "Test the connection" (<see cref="SystemeConnectionCheck"/>). Not retried: its result, pass or fail, is the answer.</summary>
public sealed class SystemeConnectionTestJob(SystemeConnectionCheck check)
{
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Systeme.io connection test of IB {0}")]
    public Task RunAsync(Guid tenantId, CancellationToken cancellationToken) => check.RunAsync(tenantId, cancellationToken);
}
