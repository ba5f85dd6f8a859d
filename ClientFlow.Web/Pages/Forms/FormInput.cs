using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Leads;

namespace ClientFlow.Web.Pages.Forms;

/// <summary>The hosted form's fields. Validation is <see cref="LeadInputRules"/>, the same as every capture path.</summary>
public sealed class FormInput
{
    [Display(Name = "Full name")]
    public string? Name { get; set; }

    [Display(Name = "Email")]
    public string? Email { get; set; }

    [Display(Name = "Phone")]
    public string? Phone { get; set; }

    [Display(Name = "What kind of IB are you?")]
    public string? IbType { get; set; }

    [Display(Name = "Leads per month")]
    public string? MonthlyLeads { get; set; }

    [Display(Name = "Broker network")]
    public string? BrokerNetwork { get; set; }

    /// <summary>Honeypot: hidden from people, filled by bots.</summary>
    public string? Website { get; set; }

    /// <param name="consent">The consent statement the form showed, kept with the lead as its evidence.</param>
    public LeadInput ToLeadInput(string? consent = null) => new()
    {
        Consent = consent,
        Email = Email,
        Name = Name,
        Phone = Phone,
        IbType = IbType,
        MonthlyLeads = MonthlyLeads,
        BrokerNetwork = BrokerNetwork,
    };

    /// <summary>Maps capture errors (keyed by JSON field) to this form's inputs.</summary>
    public static string FieldFor(string jsonField) => jsonField switch
    {
        "email" => nameof(Email),
        "name" => nameof(Name),
        "phone" => nameof(Phone),
        "ib_type" => nameof(IbType),
        "monthly_leads" => nameof(MonthlyLeads),
        "broker_network" => nameof(BrokerNetwork),
        _ => string.Empty,
    };

    public static IReadOnlyList<(string Value, string Label)> IbTypes { get; } =
    [
        ("forex-ib", "Forex IB"),
        ("crypto-affiliate", "Crypto affiliate"),
        ("cfd-partner", "CFD partner"),
        ("other", "Other"),
    ];
}
