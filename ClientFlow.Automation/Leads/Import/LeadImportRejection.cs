using ClientFlow.Automation.Tenancy;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>One CSV row that was not imported, and why.</summary>
public sealed class LeadImportRejection : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid TenantId { get; set; }

    public Guid ImportId { get; set; }

    /// <summary>1-based line number in the file, the header being line 1.</summary>
    public int Line { get; set; }

    public string? Email { get; set; }

    public required string Reason { get; set; }
}
