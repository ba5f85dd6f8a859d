namespace ClientFlow.Automation.Templates;

/// <summary>Every name a template may use, with what it holds; the editor lists them and the compiler refuses others.</summary>
public static class TemplateVariables
{
    public static IReadOnlyList<(string Name, string Description)> All { get; } =
    [
        ("first_name", "The lead's first name"),
        ("last_name", "The lead's last name"),
        ("full_name", "The lead's full name"),
        ("email", "The lead's email address"),
        ("phone", "The lead's phone number"),
        ("ib_type", "The lead's IB type, such as forex-ib"),
        ("monthly_leads", "<100, 100-499 or 500+"),
        ("broker_network", "The lead's broker network"),
        ("ib.name", "Your name (sender name on /Settings)"),
        ("ib.email", "Your email address"),
        ("unsubscribe_url", "The lead's one-click unsubscribe link"),
        ("referral_link \"XM\"", "Your referral link at that broker connection (Conversions), tracked, with the lead's sub-id"),
    ];

    /// <summary>Top-level names; <c>ib</c> is an object with <see cref="IbMembers"/>.</summary>
    internal static IReadOnlySet<string> Globals { get; } = All.Select(v => v.Name.Split('.', ' ')[0]).ToHashSet(StringComparer.Ordinal);

    internal static IReadOnlySet<string> IbMembers { get; } = All.Where(v => v.Name.StartsWith("ib.", StringComparison.Ordinal)).Select(v => v.Name[3..]).ToHashSet(StringComparer.Ordinal);
}
