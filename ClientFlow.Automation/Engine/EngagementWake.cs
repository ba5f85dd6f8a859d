using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// An open or a click resumes the lead's runs that wait for one ("if opened, waiting up to …") at
/// once: their due time becomes now and a job advances them; a run whose condition still does not
/// hold (another template) goes back to waiting until its timeout.
/// </summary>
public sealed class EngagementWake(ClientFlowDbContext db, IRunScheduler scheduler, TimeProvider clock)
{
    public async Task<int> WakeAsync(Guid leadId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var waiting = await db.WorkflowRuns
            .Where(r => r.LeadId == leadId && r.Status == RunStatus.Waiting && r.TimeoutAt != null)
            .Select(r => new { r.Id, r.TenantId })
            .ToListAsync(cancellationToken);
        if (waiting.Count == 0)
        {
            return 0;
        }

        // The open or click is a new hand-off, to the job enqueued here: any job still around for the run finds itself
        // superseded, and a wake that claims the now-due run first takes it over under its own.
        var ids = waiting.Select(r => r.Id).ToList();
        var handoff = Guid.NewGuid();
        await db.WorkflowRuns
            .Where(r => ids.Contains(r.Id) && r.Status == RunStatus.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, now).SetProperty(r => r.Handoff, handoff).SetProperty(r => r.Revision, r => r.Revision + 1), cancellationToken);
        foreach (var run in waiting)
        {
            scheduler.Enqueue(run.TenantId, run.Id, handoff, "woken by an open or click");
        }

        return waiting.Count;
    }
}
