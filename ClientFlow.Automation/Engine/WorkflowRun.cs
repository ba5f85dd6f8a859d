using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Engine;

/// <summary>
/// One lead going through one published version of a workflow. <see cref="NextStep"/> is the next
/// step to run (an index into the version's <see cref="Workflows.WorkflowProgram"/>); <see cref="DueAt"/>
/// is when a waiting run wakes, or the lease of a running one (past it, the sweep takes over).
/// </summary>
public sealed class WorkflowRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WorkflowId { get; set; }

    public Guid VersionId { get; set; }

    public Guid LeadId { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Running;

    public int? NextStep { get; set; }

    /// <summary>The step the run took last: where a waiting run waits (a wait, or an "if …, waiting up to" step).</summary>
    public int? AtStep { get; set; }

    public DateTimeOffset DueAt { get; set; }

    /// <summary>
    /// Unique per tenant while it means something: <c>{workflow}:{lead}</c> for ever without re-entry,
    /// <c>{workflow}:{lead}:active</c> until the run ends with re-entry. Enrolling twice hits the index.
    /// </summary>
    public string? EnrolmentKey { get; set; }

    /// <summary>Set while the run waits at an "if opened/clicked, waiting up to …" step: when the else-branch is taken.</summary>
    public DateTimeOffset? TimeoutAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>
    /// The one job entitled to advance the run. Every hand-off to a job (enrolment, the claim of a wake when the
    /// run's wait ends, an open or click, ON, the sweep) writes a new value and gives it to that job; a job holding
    /// an older one (a duplicate job, a job the sweep replaced) does nothing and schedules nothing, so a run has at
    /// most one live job chain. A wait writes a new value that no job holds: whatever job was still around for the
    /// run is stale, and the wake's claim hands the run on.
    /// </summary>
    public Guid? Handoff { get; set; }

    /// <summary>Optimistic concurrency: two workers advancing one run cannot both commit a step.</summary>
    public int Revision { get; set; }
}
