using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

public sealed class IndexModel(ClientFlowDbContext db) : PageModel
{
    public IReadOnlyList<Lead> Leads { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Leads = await db.Leads.AsNoTracking().OrderByDescending(l => l.CreatedAt).ToListAsync(cancellationToken);
    }
}
