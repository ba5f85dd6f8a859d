namespace ClientFlow.Automation.Auditing;

/// <summary>A record of an admin view across tenants or a sensitive change. Not tenant-owned: it is the platform's log.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public string? ActorUserId { get; set; }

    public required string Action { get; set; }

    public Guid? TenantId { get; set; }

    public string? Detail { get; set; }
}
