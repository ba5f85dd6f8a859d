using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

public sealed class DetailsModel(ClientFlowDbContext db, LeadCapture capture) : PageModel
{
    public Lead Lead { get; private set; } = null!;

    public string TagPrefix { get; private set; } = string.Empty;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's lead indistinguishable from a missing one: 404.
        var lead = await db.Leads.AsNoTracking().Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return NotFound();
        }

        Lead = lead;
        TagPrefix = await db.Tenants.Where(t => t.Id == lead.TenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRetrySyncAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await capture.ResyncAsync(User.GetTenantId()!.Value, id, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Sync to Systeme.io queued.";
        return RedirectToPage(new { id });
    }
}
