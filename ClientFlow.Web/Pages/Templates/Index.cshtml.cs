using ClientFlow.Automation.Data;
using ClientFlow.Automation.Templates;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Templates;

/// <summary>The IB's email templates, against their template limit; delete from the list.</summary>
public sealed class IndexModel(ClientFlowDbContext db, EmailTemplates templates) : PageModel
{
    public IReadOnlyList<EmailTemplate> Templates { get; private set; } = [];

    public int MaxTemplates { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Templates = await templates.ListAsync(cancellationToken);
        var tenantId = User.GetTenantId();
        MaxTemplates = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MaxTemplates).SingleAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's template indistinguishable from a missing one: 404.
        var template = await templates.FindAsync(id, cancellationToken);
        var usedBy = template is null ? null : await templates.DeleteAsync(id, cancellationToken);
        if (usedBy is null)
        {
            return NotFound();
        }

        StatusMessage = usedBy.Count == 0
            ? $"Deleted {template!.Name}."
            : $"{template!.Name} is used by {string.Join(", ", usedBy)}. Take it out of those workflows (and publish) before deleting it.";
        return RedirectToPage();
    }
}
