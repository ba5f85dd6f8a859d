using System.Security.Claims;
using ClientFlow.Automation.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientFlow.Web.Pages.Admin;

/// <summary>The audit trail: every admin view across tenants and every sensitive change, newest first.</summary>
public sealed class AuditModel(TenantInspection inspection) : PageModel
{
    public const int PageSize = 100;

    public IReadOnlyList<AuditView> Entries { get; private set; } = [];

    /// <summary>Entries older than this id (the "Older" link).</summary>
    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Entries = await inspection.AuditTrailAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, Before, PageSize, cancellationToken);
}
