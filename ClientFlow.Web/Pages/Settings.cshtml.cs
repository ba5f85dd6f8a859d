using System.Security.Claims;
using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Hosting;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages;

public sealed class SettingsModel(ClientFlowDbContext db, IOptions<AppOptions> app, TimeProvider clock) : PageModel
{
    public Tenant Tenant { get; private set; } = null!;

    public string FormUrl { get; private set; } = string.Empty;

    public string ApiUrl { get; private set; } = string.Empty;

    /// <summary>Set only in the response to a rotation: the key is shown this once and never stored.</summary>
    public string? NewApiKey { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRotateApiKeyAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var key = ApiKey.Generate();
        Tenant.ApiKeyHash = ApiKey.Hash(key);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            ActorUserId = User.FindFirstValue(ClaimTypes.NameIdentifier),
            Action = "tenant.api-key.rotated",
            TenantId = Tenant.Id,
        });
        await db.SaveChangesAsync(cancellationToken);

        // No redirect: the key must not travel through a cookie or a URL.
        NewApiKey = key;
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.FindAsync([User.GetTenantId()], cancellationToken);
        if (tenant is null)
        {
            return false;
        }

        Tenant = tenant;
        var origin = app.Value.Origin(Request);
        FormUrl = $"{origin}/f/{tenant.FormKey}";
        ApiUrl = $"{origin}/api/v1/leads";
        return true;
    }
}
