using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Leads;

/// <summary>A tag on a lead, stored as the bare slug; only the tag layer joins it with the tenant's prefix.</summary>
public sealed class LeadTag : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public Guid LeadId { get; set; }

    public required string Slug { get; set; }

    public DateTimeOffset AddedAt { get; set; }

    /// <summary>When the prefixed tag was confirmed on the Systeme.io contact; null until then.</summary>
    public DateTimeOffset? SyncedAt { get; set; }
}
