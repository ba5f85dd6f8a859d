namespace ClientFlow.Automation.Leads;

public enum LeadStatus
{
    New,
    Nurturing,
    Engaged,
    Converted,
    Unsubscribed,
}
