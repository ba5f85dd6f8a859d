using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>One IB as the admin troubleshoots it, read-only and audited (<see cref="TenantInspection"/>), and its daily limits.</summary>
public sealed class TenantModel(TenantInspection inspection, TenantDirectory directory, IOptions<DailyLimitOptions> dailyLimits) : PageModel
{
    public const int DailyLimitCeiling = 10_000_000;

    public TenantOverview Overview { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    /// <summary>The "Daily limits" form; an empty field takes the platform's limit.</summary>
    public LimitsInput Limits { get; set; } = new();

    public DailyLimitOptions PlatformLimits => dailyLimits.Value;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Limits = LimitsInput.From(Overview.Tenant);
        return Page();
    }

    /// <summary>Sets this IB's own daily limits on test sends, notifications and text messages (audited).</summary>
    public async Task<IActionResult> OnPostDailyLimitsAsync(Guid id, [Bind(Prefix = nameof(Limits))] LimitsInput limits, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            Limits = limits;
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        if (!await directory.SetDailyLimitsAsync(ActorId, id, limits.TestSends, limits.Notifications, limits.Sms, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Daily limits saved.";
        return RedirectToPage(new { id });
    }

    private string ActorId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var overview = await inspection.OverviewAsync(ActorId, id, Q, cancellationToken);
        if (overview is null)
        {
            return false;
        }

        Overview = overview;
        return true;
    }

    public sealed class LimitsInput
    {
        private const string RangeError = "Enter a whole number from 0 to 10,000,000, or leave it empty for the platform's limit.";

        [Display(Name = "Test emails a day")]
        [Range(0, DailyLimitCeiling, ErrorMessage = RangeError)]
        public int? TestSends { get; set; }

        [Display(Name = "Notifications a day")]
        [Range(0, DailyLimitCeiling, ErrorMessage = RangeError)]
        public int? Notifications { get; set; }

        [Display(Name = "Text messages a day")]
        [Range(0, DailyLimitCeiling, ErrorMessage = RangeError)]
        public int? Sms { get; set; }

        public static LimitsInput From(Tenant tenant) => new() { TestSends = tenant.DailyTestSends, Notifications = tenant.DailyNotifications, Sms = tenant.DailySms };
    }
}
