using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using ClientFlow.Web.Hosting;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages.Templates;

/// <summary>
/// The template editor at <c>/Templates/new</c> or <c>/Templates/{guid}</c>: Scriban fields checked at save
/// (errors with line and column next to their field), a sandboxed preview as the sample lead or one of the
/// IB's leads, and "Send me a test" through the outbox.
/// </summary>
public sealed class EditModel(
    ClientFlowDbContext db,
    EmailTemplates templates,
    EmailComposer composer,
    EmailSends emailSends,
    SendingGate sending,
    DailyAllowance allowance,
    AfterCommit afterCommit) : PageModel
{
    public const string NewId = "new";

    /// <summary>Leads offered in the preview picker.</summary>
    public const int PreviewLeadCount = 50;

    /// <summary>Claims in the saved template that financial-promotion rules forbid, each at its line and column.</summary>
    public IReadOnlyList<PromotionClaim> ClaimWarnings => Template is null ? [] : PromotionClaims.Find(Template);

    /// <summary>The saved template; null on <c>/Templates/new</c>.</summary>
    public EmailTemplate? Template { get; private set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The lead the preview and the test render as; null for the sample lead.</summary>
    public Guid? PreviewLeadId { get; private set; }

    public IReadOnlyList<PreviewLead> PreviewLeads { get; private set; } = [];

    public string? PreviewSubject { get; private set; }

    public string? PreviewText { get; private set; }

    public string? PreviewError { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ErrorMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(string id, Guid? leadId, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid || !await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Template is null)
        {
            Input = new InputModel { HtmlBody = InputModel.Starter };
            return Page();
        }

        Input = new InputModel { Name = Template.Name, Subject = Template.Subject, HtmlBody = Template.HtmlBody, TextBody = Template.TextBody };
        var lead = await PreviewLeadAsync(leadId, cancellationToken);
        if (leadId is not null && lead is null)
        {
            return NotFound();
        }

        PreviewLeadId = lead?.Id;
        await LoadPreviewAsync(lead, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        var result = await templates.SaveAsync(Template?.Id, new TemplateInput(Input.Name, Input.Subject, Input.HtmlBody, Input.TextBody), cancellationToken);
        if (result is null)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = "Saved.";
            return RedirectToPage(new { id = result.Template!.Id });
        }

        // The editor's only checks are the product's: every error becomes a message on its field, with line and column.
        ModelState.Clear();
        foreach (var error in result.Errors)
        {
            ModelState.AddModelError(result.LimitReached ? string.Empty : $"{nameof(Input)}.{error.Field}", error.ToString());
        }

        if (Template is not null)
        {
            await LoadPreviewAsync(null, cancellationToken);
        }

        return Page();
    }

    /// <summary>The rendered HTML body, for the preview iframe: sandboxed by its content security policy (<see cref="SecurityHeaders"/>) as well as by the iframe.</summary>
    public async Task<IActionResult> OnGetPreviewAsync(Guid id, Guid? leadId, CancellationToken cancellationToken)
    {
        var template = ModelState.IsValid ? await templates.FindAsync(id, cancellationToken) : null;
        var lead = template is null ? null : await PreviewLeadAsync(leadId, cancellationToken);
        if (template is null || (leadId is not null && lead is null))
        {
            return NotFound();
        }

        SecurityHeaders.MarkEmailBody(HttpContext);
        Response.Headers.CacheControl = "no-store";
        try
        {
            var (_, html, _) = await composer.PreviewAsync(template, lead, cancellationToken);
            return Content(html, "text/html; charset=utf-8");
        }
        catch (TemplateRenderException ex)
        {
            return Content(ex.Message, "text/plain; charset=utf-8");
        }
    }

    /// <summary>Renders the template as the sample lead (or the chosen lead) and sends it to the IB through the outbox.</summary>
    public async Task<IActionResult> OnPostSendTestAsync(Guid id, Guid? leadId, CancellationToken cancellationToken)
    {
        var template = await templates.FindAsync(id, cancellationToken);
        var lead = template is null ? null : await PreviewLeadAsync(leadId, cancellationToken);
        if (template is null || (leadId is not null && lead is null))
        {
            return NotFound();
        }

        if (await sending.RefusalAsync(template.TenantId, cancellationToken) is { } refusal)
        {
            ErrorMessage = refusal;
            return RedirectToPage(new { id, leadId });
        }

        EmailMessage message;
        try
        {
            message = await composer.ComposeTestAsync(template, lead, cancellationToken);
        }
        catch (TemplateRenderException ex)
        {
            ErrorMessage = $"The test could not render: {ex.Message}";
            return RedirectToPage(new { id, leadId });
        }

        // As a workflow step does: the message, its delivery row and the day's allowance in one transaction, the job handed over after commit.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (!await allowance.TryTakeAsync(template.TenantId, DailyLimitKind.TestSends, cancellationToken))
            {
                ErrorMessage = DailyAllowance.Reached(DailyLimitKind.TestSends, await allowance.LimitAsync(template.TenantId, DailyLimitKind.TestSends, cancellationToken));
                return RedirectToPage(new { id, leadId });
            }

            emailSends.Add(template.TenantId, message);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        afterCommit.Flush();

        StatusMessage = $"Test email sent to {message.To}.";
        return RedirectToPage(new { id, leadId });
    }

    /// <summary>Loads the template the route names: false for anything but <c>new</c> or one of the IB's template ids.</summary>
    private async Task<bool> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (string.Equals(id, NewId, StringComparison.Ordinal))
        {
            Template = null;
            return true;
        }

        if (!Guid.TryParse(id, out var templateId))
        {
            return false;
        }

        // The tenant filter makes another tenant's template indistinguishable from a missing one: 404.
        Template = await templates.FindAsync(templateId, cancellationToken);
        return Template is not null;
    }

    private async Task<Lead?> PreviewLeadAsync(Guid? leadId, CancellationToken cancellationToken) =>
        leadId is { } id ? await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken) : null;

    private async Task LoadPreviewAsync(Lead? lead, CancellationToken cancellationToken)
    {
        var latest = await db.Leads.AsNoTracking()
            .OrderByDescending(l => l.CreatedAt).ThenBy(l => l.Email)
            .Take(PreviewLeadCount)
            .Select(l => new PreviewLead(l.Id, l.Email, l.Name))
            .ToListAsync(cancellationToken);
        PreviewLeads = latest.OrderBy(l => l.Email, StringComparer.OrdinalIgnoreCase).ToList();

        try
        {
            (PreviewSubject, _, PreviewText) = await composer.PreviewAsync(Template!, lead, cancellationToken);
        }
        catch (TemplateRenderException ex)
        {
            PreviewError = ex.Message;
        }
    }

    public sealed record PreviewLead(Guid Id, string Email, string? Name);

    /// <summary>What the editor posts; the checks (required, lengths, Scriban) are <see cref="EmailTemplates.Validate"/>'s.</summary>
    public sealed class InputModel
    {
        public const string Starter = "<p>Hi {{ first_name | string.default \"there\" }},</p>\n\n<p></p>\n\n<p>{{ ib.name }}</p>\n";

        public string? Name { get; set; }

        public string? Subject { get; set; }

        [Display(Name = "HTML body")]
        public string? HtmlBody { get; set; }

        [Display(Name = "Text body (optional)")]
        public string? TextBody { get; set; }
    }
}
