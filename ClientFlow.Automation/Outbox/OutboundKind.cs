namespace ClientFlow.Automation.Outbox;

public enum OutboundKind
{
    /// <summary>Ensure the lead's Systeme.io contact, its fields and every prefixed tag.</summary>
    SystemeLeadSync,
}
