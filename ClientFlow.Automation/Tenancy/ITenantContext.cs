namespace ClientFlow.Automation.Tenancy;

/// <summary>The tenant the current unit of work (request or job) acts for; null when none is set.</summary>
public interface ITenantContext
{
    Guid? TenantId { get; }
}
