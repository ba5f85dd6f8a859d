using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>One IB as the admin troubleshoots it, read-only and audited (<see cref="TenantInspection"/>).</summary>
public sealed class TenantModel(TenantInspection inspection) : PageModel
{
    public TenantOverview Overview { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var overview = await inspection.OverviewAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, id, Q, cancellationToken);
        if (overview is null)
        {
            return NotFound();
        }

        Overview = overview;
        return Page();
    }
}
