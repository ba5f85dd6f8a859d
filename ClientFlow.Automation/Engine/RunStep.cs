using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Engine;

/// <summary>What one step of a run did, and when. Unique per (run, step): a step cannot happen twice.</summary>
public sealed class RunStep : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid RunId { get; set; }

    public int StepIndex { get; set; }

    public required string Label { get; set; }

    public required string Outcome { get; set; }

    public DateTimeOffset ExecutedAt { get; set; }
}
