using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Outbox;

/// <summary>
/// Work for an outside system, written in the same transaction as the change that needs it and
/// performed afterwards by a job. Nothing is dropped: a failure reschedules it with backoff.
/// </summary>
public sealed class OutboundOperation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public OutboundKind Kind { get; set; }

    public Guid? LeadId { get; set; }

    public OutboundStatus Status { get; set; } = OutboundStatus.Pending;

    public int Attempts { get; set; }

    /// <summary>Due time; also the lease a sweep takes when it hands the row to a job.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
