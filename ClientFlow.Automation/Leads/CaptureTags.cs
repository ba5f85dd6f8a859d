namespace ClientFlow.Automation.Leads;

/// <summary>
/// The tags a captured lead gets (bare slugs; the tag layer adds the tenant prefix):
/// <c>demo-request</c>, the IB type, and a volume tag from <c>monthly_leads</c>.
/// </summary>
public static class CaptureTags
{
    public const string DemoRequest = "demo-request";
    public const string Converted = "converted";

    public static IReadOnlyList<string> For(string? ibType, string? monthlyLeads)
    {
        var tags = new List<string> { DemoRequest };
        if (!string.IsNullOrWhiteSpace(ibType))
        {
            tags.Add(ibType);
        }

        if (VolumeTag(monthlyLeads) is { } volume)
        {
            tags.Add(volume);
        }

        return tags;
    }

    public static string? VolumeTag(string? monthlyLeads) => monthlyLeads switch
    {
        "500+" => "high-volume",
        "100-499" => "medium-volume",
        "<100" => "low-volume",
        _ => null,
    };
}
