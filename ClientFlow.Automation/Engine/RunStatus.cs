namespace ClientFlow.Automation.Engine;

public enum RunStatus
{
    /// <summary>Has steps to run now (a job holds it until <see cref="WorkflowRun.DueAt"/>).</summary>
    Running,

    /// <summary>In a wait until <see cref="WorkflowRun.DueAt"/>.</summary>
    Waiting,

    /// <summary>The workflow is OFF; resumes where it stopped when it is ON again.</summary>
    Paused,

    Completed,

    /// <summary>Ended by an exit step.</summary>
    Exited,

    /// <summary>A step could not run (its reason is in <see cref="WorkflowRun.LastError"/>).</summary>
    Failed,
}
