namespace ClientFlow.Automation.Leads;

/// <summary>The ladder a lead climbs: ClientFlow's own engagement, then what the broker reports (<see cref="Conversions.BrokerEvent"/>).</summary>
public enum LeadStage
{
    New,
    Nurturing,
    Engaged,
    Registered,

    /// <summary>First-time deposit.</summary>
    Funded,
    Qualified,
    Active,
}
