using ClientFlow.Automation.Data;
using ClientFlow.Web.Hosting;
using NetEscapades.AspNetCore.SecurityHeaders;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Forms;

[AllowAnonymous]
[SecurityHeadersPolicy(SecurityHeaders.Embeddable)]
public sealed class ThanksModel(ClientFlowDbContext db) : PageModel
{
    public string TenantName { get; private set; } = string.Empty;

    public async Task<IActionResult> OnGetAsync(string formKey, CancellationToken cancellationToken)
    {
        var name = await db.Tenants.AsNoTracking().Where(t => t.FormKey == formKey).Select(t => t.Name).SingleOrDefaultAsync(cancellationToken);
        if (name is null)
        {
            return NotFound();
        }

        TenantName = name;
        return Page();
    }
}
