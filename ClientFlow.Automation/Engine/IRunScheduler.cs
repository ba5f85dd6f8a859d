namespace ClientFlow.Automation.Engine;

/// <summary>
/// The engine's port to the job system: run a run now as the job holding <paramref name="handoff"/>
/// (<see cref="WorkflowRun.Handoff"/>), or wake a tenant's waiting runs when they fall due. Losing a call loses nothing
/// (the sweep).
/// </summary>
public interface IRunScheduler
{
    void Enqueue(Guid tenantId, Guid runId, Guid handoff, string description);

    /// <summary>Runs of one tenant started together, advanced now by one job (each still as the holder of its hand-off).</summary>
    void EnqueueMany(Guid tenantId, IReadOnlyList<(Guid RunId, Guid Handoff)> runs, string description);

    /// <summary>A workflow's runs resumed together (turned back ON) under <paramref name="handoff"/>, handed to their jobs in the background.</summary>
    void ResumeWorkflow(Guid tenantId, Guid workflowId, Guid handoff, string workflowName);

    /// <summary>
    /// A run of the tenant waits until <paramref name="dueAt"/>: a job then (never before) claims the tenant's due runs
    /// and advances them (<see cref="DueRuns"/>). Runs whose waits end in the same second share that job, so a wait costs
    /// no job of its own; <paramref name="description"/> names the job in /hangfire.
    /// </summary>
    void ScheduleWake(Guid tenantId, DateTimeOffset dueAt, string description);
}
