namespace ClientFlow.Automation.Leads;

/// <summary>Where the lead stands with Systeme.io.</summary>
public enum LeadSyncState
{
    /// <summary>Offline mode, or nothing to sync yet.</summary>
    NotSynced,
    Pending,
    Retrying,
    Synced,
    Failed,
}
