using ClientFlow.Automation.Outbox;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Jobs to hand to Hangfire once the transaction that wrote their rows has committed (never before:
/// a job must not look for a row that might roll back). A hand-off that is lost (a crash between
/// commit and flush) costs a delay, not the work: the sweeps find the rows. Runs started by one transaction go out
/// in jobs of up to <see cref="RunsPerJob"/> (an import batch starts thousands; one job each cost more in job
/// bookkeeping than the runs' first steps).
/// </summary>
public sealed class AfterCommit(OutboxJobs outboxJobs, IRunScheduler runs)
{
    public const int RunsPerJob = 100;

    private readonly List<(Guid TenantId, Guid OperationId)> _outbound = [];
    private readonly List<(Guid TenantId, Guid RunId, Guid Handoff, string Description)> _runs = [];

    public void Outbound(Guid tenantId, Guid operationId) => _outbound.Add((tenantId, operationId));

    public void Run(Guid tenantId, Guid runId, Guid handoff, string description) => _runs.Add((tenantId, runId, handoff, description));

    /// <summary>Drops what was collected for a transaction that rolled back.</summary>
    public void Discard()
    {
        _outbound.Clear();
        _runs.Clear();
    }

    public void Flush()
    {
        var outbound = _outbound.ToList();
        var started = _runs.ToList();
        Discard();
        foreach (var (tenantId, operationId) in outbound)
        {
            outboxJobs.Enqueue(tenantId, operationId);
        }

        foreach (var tenant in started.GroupBy(r => r.TenantId))
        {
            foreach (var chunk in tenant.Chunk(RunsPerJob))
            {
                if (chunk.Length == 1)
                {
                    runs.Enqueue(tenant.Key, chunk[0].RunId, chunk[0].Handoff, chunk[0].Description);
                }
                else
                {
                    runs.EnqueueMany(tenant.Key, [.. chunk.Select(r => (r.RunId, r.Handoff))], "started together");
                }
            }
        }
    }
}
