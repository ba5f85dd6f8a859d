namespace ClientFlow.Automation.Leads;

public enum LeadSource
{
    Manual,
    Form,
    Api,
    Import,

    /// <summary>Found in Systeme.io with the IB's prefixed tags by the reconcile (<see cref="Systeme.SystemeReconciler"/>).</summary>
    Systeme,
}
