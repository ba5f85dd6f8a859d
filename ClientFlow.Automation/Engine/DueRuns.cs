using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// The current tenant's waiting runs whose time has come, claimed a batch at a time by the job that wakes them. A claim
/// is one conditional update of the batch (still waiting, still due) that sets the claiming job's hand-off and a lease,
/// as the recovery sweep's claim does: a second job claiming at the same moment, on this node or another, finds those
/// runs no longer waiting and takes others or none, so each due run goes to exactly one job. A claimed run the job never
/// advances (the node dies) is the sweep's once its lease lapses.
/// </summary>
public sealed class DueRuns(ClientFlowDbContext db, IOptions<EngineOptions> options, TimeProvider clock)
{
    /// <summary>Runs one job claims and advances; a full claim hands the next batch to another job at once.</summary>
    public const int ClaimSize = 50;

    /// <summary>Claims up to <see cref="ClaimSize"/> of the tenant's runs due now, earliest first, for one job.</summary>
    public async Task<DueRunClaim> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.Status == RunStatus.Waiting && r.DueAt <= now)
            .OrderBy(r => r.DueAt)
            .Take(ClaimSize)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return new DueRunClaim(Guid.Empty, [], Full: false);
        }

        var handoff = Guid.NewGuid();
        var leaseUntil = now + options.Value.Lease;
        await db.WorkflowRuns
            .Where(r => due.Contains(r.Id) && r.Status == RunStatus.Waiting && r.DueAt <= now)
            .ExecuteUpdateAsync(s => Claim(s, handoff, leaseUntil), cancellationToken);

        // The runs another job claimed between the read and the update kept their own hand-off.
        var claimed = (await db.WorkflowRuns.AsNoTracking()
                .Where(r => due.Contains(r.Id) && r.Handoff == handoff)
                .Select(r => r.Id)
                .ToListAsync(cancellationToken))
            .ToHashSet();
        return new DueRunClaim(handoff, [.. due.Where(claimed.Contains)], Full: due.Count == ClaimSize);
    }

    /// <summary>What a claim writes (a wake's, or the sweep's): the run is running under the claimer's hand-off until its lease ends.</summary>
    internal static void Claim(UpdateSettersBuilder<WorkflowRun> run, Guid handoff, DateTimeOffset leaseUntil) =>
        run.SetProperty(r => r.Status, RunStatus.Running)
            .SetProperty(r => r.DueAt, leaseUntil)
            .SetProperty(r => r.Handoff, handoff)
            .SetProperty(r => r.Revision, r => r.Revision + 1);

    /// <summary>
    /// When the tenant's earliest waiting run falls due, if no later than <paramref name="until"/>: in the past for a run
    /// that fell due after the last claim looked (it is claimed next), else the time to wait for.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var next = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.Status == RunStatus.Waiting && r.DueAt <= until)
            .OrderBy(r => r.DueAt)
            .Select(r => r.DueAt)
            .Take(1)
            .ToListAsync(cancellationToken);
        return next.Count == 0 ? null : next[0];
    }
}

/// <param name="Handoff">The hand-off every claimed run now holds: the claiming job's.</param>
/// <param name="Full">The claim took as many as it could: more runs may be due.</param>
public sealed record DueRunClaim(Guid Handoff, IReadOnlyList<Guid> RunIds, bool Full);
