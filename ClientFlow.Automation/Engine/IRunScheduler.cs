namespace ClientFlow.Automation.Engine;

/// <summary>
/// The engine's port to the job system: run a run now, or when it is due, as the job holding
/// <paramref name="handoff"/> (<see cref="WorkflowRun.Handoff"/>). Losing a call loses nothing (the sweep).
/// </summary>
public interface IRunScheduler
{
    void Enqueue(Guid tenantId, Guid runId, Guid handoff, string description);

    /// <summary>Runs of one tenant started together, advanced now by one job (each still as the holder of its hand-off).</summary>
    void EnqueueMany(Guid tenantId, IReadOnlyList<(Guid RunId, Guid Handoff)> runs, string description);

    /// <summary>A workflow's runs resumed together (turned back ON) under <paramref name="handoff"/>, handed to their jobs in the background.</summary>
    void ResumeWorkflow(Guid tenantId, Guid workflowId, Guid handoff, string workflowName);

    void Schedule(Guid tenantId, Guid runId, Guid handoff, string description, DateTimeOffset dueAt);
}
