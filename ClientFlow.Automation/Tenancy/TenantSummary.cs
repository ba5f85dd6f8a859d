namespace ClientFlow.Automation.Tenancy;

/// <summary>One IB as the admin sees it.</summary>
public sealed record TenantSummary(
    Guid Id,
    string Name,
    string TagPrefix,
    IReadOnlyList<string> OwnerEmails,
    int LeadCount,
    int MaxLeads,
    int MaxWorkflows,
    int MaxTemplates,
    DateTimeOffset CreatedAt,
    bool IsStarterPack = false);
