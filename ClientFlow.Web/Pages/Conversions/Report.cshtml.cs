using System.Text.Json;
using ClientFlow.Automation.Conversions;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Conversions;

/// <summary>
/// The conversion report: clicks on referral links, then registered, funded and qualified leads, per broker connection,
/// per workflow (with its FTD rate) and per email, and a weekly chart drawn by Chart.js (served from <c>wwwroot/lib</c>).
/// </summary>
public sealed class ReportModel(ConversionReport report) : PageModel
{
    public ConversionFigures Figures { get; private set; } = new([], [], [], []);

    /// <summary>The weekly series for the chart script (<c>js/conversion-chart.js</c>), as the canvas's data attribute.</summary>
    public string ChartJson => JsonSerializer.Serialize(new
    {
        labels = Figures.Weeks.Select(w => w.Monday.ToString("d MMM", System.Globalization.CultureInfo.InvariantCulture)),
        clicks = Figures.Weeks.Select(w => w.Clicks),
        registered = Figures.Weeks.Select(w => w.Registered),
        funded = Figures.Weeks.Select(w => w.Funded),
    });

    /// <summary>The chart in words, for a screen reader (the table below has every figure).</summary>
    public string ChartSummary =>
        $"Referral clicks, registrations and first deposits per week over the last {ConversionReport.Weeks} weeks: "
        + $"{Figures.Weeks.Sum(w => w.Clicks)} clicks, {Figures.Weeks.Sum(w => w.Registered)} registered, {Figures.Weeks.Sum(w => w.Funded)} funded.";

    public async Task OnGetAsync(CancellationToken cancellationToken) => Figures = await report.ReadAsync(cancellationToken);

    public static string Rate(double? rate) => rate is { } value ? (value * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%" : "–";
}
