namespace ClientFlow.Automation.Engine;

/// <summary>
/// The engine's port to the job system: run a run now, or when it is due, as the job holding
/// <paramref name="handoff"/> (<see cref="WorkflowRun.Handoff"/>). Losing a call loses nothing (the sweep).
/// </summary>
public interface IRunScheduler
{
    void Enqueue(Guid tenantId, Guid runId, Guid handoff, string description);

    void Schedule(Guid tenantId, Guid runId, Guid handoff, string description, DateTimeOffset dueAt);
}
