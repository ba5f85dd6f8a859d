namespace ClientFlow.Automation.Tenancy;

/// <summary>A row that belongs to one tenant: filtered on read, stamped and checked on write.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}
