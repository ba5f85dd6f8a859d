using ClientFlow.Automation.Leads;

namespace ClientFlow.Automation.Templates;

/// <summary>
/// What a template can see: a flat projection of the lead and the IB, never an entity, so a
/// template reaches no .NET member beyond these strings.
/// </summary>
public sealed record TemplateModel(
    string? FirstName,
    string? LastName,
    string? FullName,
    string Email,
    string? Phone,
    string? IbType,
    string? MonthlyLeads,
    string? BrokerNetwork,
    string IbName,
    string IbEmail,
    string UnsubscribeUrl,
    IReadOnlyDictionary<string, string>? ReferralLinks = null)
{
    /// <param name="referralLinks">Each broker connection's name and the link <c>{{ referral_link "name" }}</c> renders.</param>
    public static TemplateModel For(Lead lead, string ibName, string ibEmail, string unsubscribeUrl, IReadOnlyDictionary<string, string>? referralLinks = null)
    {
        var parts = (lead.Name ?? string.Empty).Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new TemplateModel(
            parts.Length > 0 ? parts[0] : null,
            parts.Length > 1 ? parts[1] : null,
            lead.Name,
            lead.Email,
            lead.Phone,
            lead.IbType,
            lead.MonthlyLeads,
            lead.BrokerNetwork,
            ibName,
            ibEmail,
            unsubscribeUrl,
            referralLinks);
    }

    /// <summary>The sample lead of the preview.</summary>
    public static TemplateModel Sample(string ibName, string ibEmail, string unsubscribeUrl, IReadOnlyDictionary<string, string>? referralLinks = null) => new(
        "Alex", "Morgan", "Alex Morgan", "alex.morgan@example.com", "+44 20 7946 0000", "forex-ib", "500+", "Example Markets", ibName, ibEmail, unsubscribeUrl, referralLinks);
}
