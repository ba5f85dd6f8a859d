using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Leads;

/// <summary>A person an IB captured. One row per (tenant, email): the same email under two IBs is two leads.</summary>
public sealed class Lead : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    /// <summary>Trimmed and lower-cased, unique within the tenant.</summary>
    public required string Email { get; set; }

    public string? Name { get; set; }

    public string? Phone { get; set; }

    /// <summary>A bare slug such as <c>forex-ib</c>.</summary>
    public string? IbType { get; set; }

    /// <summary><c>&lt;100</c>, <c>100-499</c> or <c>500+</c>.</summary>
    public string? MonthlyLeads { get; set; }

    public string? BrokerNetwork { get; set; }

    public LeadStatus Status { get; set; } = LeadStatus.New;

    public LeadSource Source { get; set; } = LeadSource.Manual;

    public long? SystemeContactId { get; set; }

    public LeadSyncState SyncState { get; set; } = LeadSyncState.NotSynced;

    public string? SyncError { get; set; }

    public DateTimeOffset? SystemeSyncedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<LeadTag> Tags { get; } = [];
}
