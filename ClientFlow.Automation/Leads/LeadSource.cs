namespace ClientFlow.Automation.Leads;

public enum LeadSource
{
    Manual,
    Form,
    Api,
    Import,
}
