using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Automation.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

public sealed class TenantsModel(TenantDirectory directory, StarterPacks starterPacks) : PageModel
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

    /// <summary>Makes this account's templates and workflows the starter pack.</summary>
    public async Task<IActionResult> OnPostStarterPackAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (!await starterPacks.SetSourceAsync(ActorId, tenantId, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Starter pack set: new IBs get a copy of this account's templates and workflows.";
        return RedirectToPage();
    }

    /// <summary>Copies the starter pack into an existing IB.</summary>
    public async Task<IActionResult> OnPostGiveStarterPackAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (await starterPacks.GiveAsync(ActorId, tenantId, cancellationToken) is not { } copy)
        {
            return NotFound();
        }

        TempData["Flash"] = $"Starter pack given: {copy.Summary}";
        return RedirectToPage();
    }

    private string ActorId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private async Task LoadAsync(CancellationToken cancellationToken) => Tenants = await directory.ListAsync(ActorId, cancellationToken);
}
