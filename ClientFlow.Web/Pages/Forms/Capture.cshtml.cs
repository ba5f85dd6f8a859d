using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Hosting;
using NetEscapades.AspNetCore.SecurityHeaders;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Forms;

/// <summary>
/// The IB's public demo-request form. It carries no antiforgery token on purpose: it must work
/// inside an iframe on the IB's own site, and it grants nothing a forged post could abuse. Spam is
/// met with a honeypot and a per-address rate limit.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(RateLimits.Form)]
[SecurityHeadersPolicy(SecurityHeaders.Embeddable)]
public sealed partial class CaptureModel(ClientFlowDbContext db, LeadCapture capture, ILogger<CaptureModel> logger) : PageModel
{
    [BindProperty]
    public FormInput Input { get; set; } = new();

    public string TenantName { get; private set; } = string.Empty;

    /// <summary>What a person agrees to by sending the form; kept word for word with the lead, with the time, address and browser.</summary>
    public string ConsentStatement =>
        $"By sending this form you agree that {TenantName} may email you about its services and the brokers it works with. You can unsubscribe at any time with the link in every email.";

    public async Task<IActionResult> OnGetAsync(string formKey, CancellationToken cancellationToken) =>
        await LoadAsync(formKey, cancellationToken) is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(string formKey, CancellationToken cancellationToken)
    {
        var tenantId = await LoadAsync(formKey, cancellationToken);
        if (tenantId is null)
        {
            return NotFound();
        }

        if (!string.IsNullOrEmpty(Input.Website))
        {
            // A bot filled the hidden field: thank it and keep nothing.
            LogHoneypot(tenantId.Value);
            return RedirectToPage("Thanks", new { formKey });
        }

        // The client's address is the forwarded one behind a known proxy (ProxyHeaders).
        var origin = new CaptureOrigin(HttpContext.Connection.RemoteIpAddress?.ToString(), Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null);
        var result = await capture.CaptureAsync(tenantId.Value, Input.ToLeadInput(ConsentStatement), LeadSource.Form, cancellationToken, origin);
        if (result.Succeeded)
        {
            return RedirectToPage("Thanks", new { formKey });
        }

        ModelState.Clear();
        if (result.Status == CaptureStatus.Invalid)
        {
            foreach (var (field, messages) in result.Errors)
            {
                ModelState.AddModelError($"{nameof(Input)}.{FormInput.FieldFor(field)}", string.Join(" ", messages));
            }
        }
        else
        {
            ModelState.AddModelError(string.Empty, result.Refusal!);
        }

        return Page();
    }

    private async Task<Guid?> LoadAsync(string formKey, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.FormKey == formKey).Select(t => new { t.Id, t.Name }).SingleOrDefaultAsync(cancellationToken);
        TenantName = tenant?.Name ?? string.Empty;
        return tenant?.Id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Form submission for tenant {TenantId} dropped: honeypot filled")]
    private partial void LogHoneypot(Guid tenantId);
}
