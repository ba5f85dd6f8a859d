namespace ClientFlow.Automation.Engine;

/// <summary>The engine's port to the job system: run a run now, or when it is due. Losing a call loses nothing (the sweep).</summary>
public interface IRunScheduler
{
    void Enqueue(Guid tenantId, Guid runId, string description);

    void Schedule(Guid tenantId, Guid runId, string description, DateTimeOffset dueAt);
}
