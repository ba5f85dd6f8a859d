using ClientFlow.Automation.Diagnostics;
using ClientFlow.Automation.Outbox;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// Jobs to hand to Hangfire once the transaction that wrote their rows has committed (never before:
/// a job must not look for a row that might roll back). A hand-off that is lost (a crash between
/// commit and flush) costs a delay, not the work: the sweeps find the rows. Runs started by one transaction go out
/// in jobs of up to <see cref="RunsPerJob"/> (an import batch starts thousands; one job each cost more in job
/// bookkeeping than the runs' first steps). A scope that holds its runs (<see cref="HoldRuns"/>) hands them later,
/// all together. Runs that began waiting in the transaction (<see cref="Wake"/>) need no job now: their wakes are booked.
/// </summary>
public sealed class AfterCommit(OutboxJobs outboxJobs, IRunScheduler runs, ClientFlowMetrics metrics, IOptions<EngineOptions> options, TimeProvider clock)
{
    public const int RunsPerJob = 100;

    private readonly List<(Guid TenantId, Guid OperationId)> _outbound = [];
    private readonly List<(Guid TenantId, Guid RunId, Guid Handoff, string Description)> _runs = [];
    private readonly List<(Guid TenantId, DateTimeOffset DueAt, string Description)> _wakes = [];

    /// <summary>Committed runs not handed yet, while this scope holds them (named by <see cref="_heldAs"/>); null when it does not.</summary>
    private List<(Guid TenantId, Guid RunId, Guid Handoff, string Description)>? _held;
    private string _heldAs = "";
    private DateTimeOffset? _heldSince;

    public void Outbound(Guid tenantId, Guid operationId) => _outbound.Add((tenantId, operationId));

    public void Run(Guid tenantId, Guid runId, Guid handoff, string description) => _runs.Add((tenantId, runId, handoff, description));

    /// <summary>A run that began waiting in the transaction, as its first step: the wake at its time is booked after commit.</summary>
    public void Wake(Guid tenantId, DateTimeOffset dueAt, string description) => _wakes.Add((tenantId, dueAt, description));

    /// <summary>
    /// Runs committed from now on wait for <see cref="ReleaseHeldRuns"/> rather than going to the engine at each commit,
    /// so that a CSV import stores its rows first: the first steps of its earlier batches took the CPU its later rows
    /// needed, and the import of 100,000 rows took three to five times as long. A run is held at most half the engine's
    /// lease (its <see cref="WorkflowRun.DueAt"/> until then), so the sweep never takes a held run for a lost one;
    /// <paramref name="description"/> names the jobs that take them.
    /// </summary>
    public void HoldRuns(string description)
    {
        _held ??= [];
        _heldAs = description;
    }

    /// <summary>Hands every held run to the engine and stops holding.</summary>
    public void ReleaseHeldRuns()
    {
        var held = _held;
        _held = null;
        _heldSince = null;
        if (held is not null)
        {
            Hand(held, _heldAs);
        }
    }

    /// <summary>Drops what was collected for a transaction that rolled back (held runs had committed, and stay held).</summary>
    public void Discard()
    {
        _outbound.Clear();
        _runs.Clear();
        _wakes.Clear();
    }

    public void Flush()
    {
        var outbound = _outbound.ToList();
        var started = _runs.ToList();
        var wakes = _wakes.ToList();
        Discard();
        foreach (var (tenantId, operationId) in outbound)
        {
            outboxJobs.Enqueue(tenantId, operationId);
        }

        // A booked second costs nothing more: an import's 100,000 waits book one wake per second they end in.
        foreach (var (tenantId, dueAt, description) in wakes)
        {
            runs.ScheduleWake(tenantId, dueAt, description);
        }

        if (wakes.Count > 0)
        {
            metrics.RecordSteps(wakes.Count);
        }

        if (_held is null)
        {
            Hand(started, "started together");
            return;
        }

        var now = clock.GetUtcNow();
        if (started.Count > 0)
        {
            _held.AddRange(started.Select(r => (r.TenantId, r.RunId, r.Handoff, _heldAs)));
            _heldSince ??= now;
        }

        if (now - _heldSince >= options.Value.Lease / 2)
        {
            var description = _heldAs;
            ReleaseHeldRuns();
            HoldRuns(description);
        }
    }

    /// <summary>One job per run alone, one per <see cref="RunsPerJob"/> of a tenant's runs together (<paramref name="together"/> names it).</summary>
    private void Hand(List<(Guid TenantId, Guid RunId, Guid Handoff, string Description)> started, string together)
    {
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
                    runs.EnqueueMany(tenant.Key, [.. chunk.Select(r => (r.RunId, r.Handoff))], together);
                }
            }
        }
    }
}
