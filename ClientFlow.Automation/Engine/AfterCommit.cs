using ClientFlow.Automation.Outbox;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Jobs to hand to Hangfire once the transaction that wrote their rows has committed (never before:
/// a job must not look for a row that might roll back). A hand-off that is lost (a crash between
/// commit and flush) costs a delay, not the work: the sweeps find the rows.
/// </summary>
public sealed class AfterCommit(OutboxJobs outboxJobs, IRunScheduler runs)
{
    private readonly List<Action> _pending = [];

    public void Outbound(Guid tenantId, Guid operationId) => _pending.Add(() => outboxJobs.Enqueue(tenantId, operationId));

    public void Run(Guid tenantId, Guid runId, Guid handoff, string description) => _pending.Add(() => runs.Enqueue(tenantId, runId, handoff, description));

    /// <summary>Drops what was collected for a transaction that rolled back.</summary>
    public void Discard() => _pending.Clear();

    public void Flush()
    {
        var pending = _pending.ToList();
        _pending.Clear();
        foreach (var handOff in pending)
        {
            handOff();
        }
    }
}
