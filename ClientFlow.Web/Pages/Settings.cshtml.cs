using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages;

public sealed class SettingsModel(ClientFlowDbContext db) : PageModel
{
    public Tenant Tenant { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.FindAsync([User.GetTenantId()], cancellationToken);
        if (tenant is null)
        {
            return NotFound();
        }

        Tenant = tenant;
        return Page();
    }
}
