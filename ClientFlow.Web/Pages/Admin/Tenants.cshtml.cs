using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

public sealed class TenantsModel(TenantDirectory directory) : PageModel
{
    public const int MaxLeadsCeiling = 10_000_000;

    public IReadOnlyList<TenantSummary> Tenants { get; private set; } = [];

    public Guid? InvalidTenantId { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostMaxLeadsAsync(Guid tenantId, int? maxLeads, CancellationToken cancellationToken)
    {
        if (maxLeads is not (>= 0 and <= MaxLeadsCeiling))
        {
            ModelState.AddModelError("maxLeads", $"Enter a whole number from 0 to {MaxLeadsCeiling:N0}.");
            InvalidTenantId = tenantId;
            await LoadAsync(cancellationToken);
            return Page();
        }

        if (!await directory.SetMaxLeadsAsync(ActorId, tenantId, maxLeads.Value, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Lead limit saved.";
        return RedirectToPage();
    }

    private string ActorId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private async Task LoadAsync(CancellationToken cancellationToken) => Tenants = await directory.ListAsync(ActorId, cancellationToken);
}
