using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

public sealed class DetailsModel(ClientFlowDbContext db) : PageModel
{
    public Lead Lead { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's lead indistinguishable from a missing one: 404.
        var lead = await db.Leads.AsNoTracking().Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return NotFound();
        }

        Lead = lead;
        return Page();
    }
}
