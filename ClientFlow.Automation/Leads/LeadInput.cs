using System.Text.Json.Serialization;

namespace ClientFlow.Automation.Leads;

/// <summary>Lead capture JSON, shared by the API, the hosted form, manual add and CSV import.</summary>
public sealed record LeadInput
{
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("phone")]
    public string? Phone { get; init; }

    /// <summary>A free slug such as <c>forex-ib</c>; it becomes a tag.</summary>
    [JsonPropertyName("ib_type")]
    public string? IbType { get; init; }

    /// <summary><c>&lt;100</c>, <c>100-499</c> or <c>500+</c>.</summary>
    [JsonPropertyName("monthly_leads")]
    public string? MonthlyLeads { get; init; }

    [JsonPropertyName("broker_network")]
    public string? BrokerNetwork { get; init; }

    /// <summary>
    /// How the person agreed to hear from the IB, in words: the consent statement they accepted (the hosted form puts
    /// the one it showed), kept on the lead as its consent evidence.
    /// </summary>
    [JsonPropertyName("consent")]
    public string? Consent { get; init; }
}
