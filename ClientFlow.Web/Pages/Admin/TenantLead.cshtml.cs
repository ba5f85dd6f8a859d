using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>One lead of one IB as a timeline, read-only and audited (<see cref="TenantInspection"/>).</summary>
public sealed class TenantLeadModel(TenantInspection inspection) : PageModel
{
    public LeadTimeline Timeline { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, Guid leadId, CancellationToken cancellationToken)
    {
        var timeline = await inspection.LeadTimelineAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, id, leadId, cancellationToken);
        if (timeline is null)
        {
            return NotFound();
        }

        Timeline = timeline;
        return Page();
    }
}
