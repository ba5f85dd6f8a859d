using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages;

public sealed class IndexModel(ClientFlowDbContext db, TimeProvider clock) : PageModel
{
    public int TotalLeads { get; private set; }

    public int LeadsThisMonth { get; private set; }

    public int ConvertedLeads { get; private set; }

    public IReadOnlyList<Lead> RecentLeads { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (User.IsInRole(Roles.Admin) && !User.IsInRole(Roles.Ib))
        {
            return RedirectToPage("/Admin/Tenants");
        }

        if (!User.IsInRole(Roles.Ib))
        {
            return Page();
        }

        var now = clock.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        TotalLeads = await db.Leads.CountAsync(cancellationToken);
        LeadsThisMonth = await db.Leads.CountAsync(l => l.CreatedAt >= monthStart, cancellationToken);
        ConvertedLeads = await db.Leads.CountAsync(l => l.Tags.Any(t => t.Slug == CaptureTags.Converted), cancellationToken);
        RecentLeads = await db.Leads.AsNoTracking().OrderByDescending(l => l.CreatedAt).Take(5).ToListAsync(cancellationToken);
        return Page();
    }
}
