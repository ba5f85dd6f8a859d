namespace ClientFlow.Automation.Leads.Import;

public enum LeadImportStatus
{
    Queued,
    Running,
    Completed,

    /// <summary>The file could not be read at all (no email column, not CSV); rows already imported stay.</summary>
    Failed,
}
