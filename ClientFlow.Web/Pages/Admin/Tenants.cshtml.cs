using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

public sealed class TenantsModel(TenantDirectory directory) : PageModel
{
    public IReadOnlyList<TenantSummary> Tenants { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Tenants = await directory.ListAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, cancellationToken);
    }
}
