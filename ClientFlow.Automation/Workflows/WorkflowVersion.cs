using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Workflows;

/// <summary>A published definition. Never changed after insert: runs point at it for their whole life.</summary>
public sealed class WorkflowVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WorkflowId { get; set; }

    public int Number { get; init; }

    /// <summary>Copied out of the definition so enrolment can find versions by trigger.</summary>
    public TriggerKind TriggerKind { get; init; }

    /// <summary><see cref="WorkflowTrigger.Key"/>: the tag's slug, or the broker event's name (<c>ftd</c>).</summary>
    public string? TriggerTag { get; init; }

    public required string DefinitionJson { get; init; }

    public DateTimeOffset PublishedAt { get; init; }

    public WorkflowDefinition Definition => WorkflowDefinition.FromJson(DefinitionJson);
}
