using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Email;
using ClientFlow.Automation.Engine;
using ClientFlow.Automation.Leads;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Web.Pages.Leads;

/// <summary>One lead: fields, Systeme.io sync, tags, its workflow runs (with each step) and the emails it was sent.</summary>
public sealed class DetailsModel(ClientFlowDbContext db, LeadCapture capture, Enrolments enrolments, ConsentRecords consents, LeadErasure erasure) : PageModel
{
    /// <summary>What brokers reported about this lead, newest first.</summary>
    public IReadOnlyList<ClientFlow.Automation.Conversions.BrokerEvent> BrokerEvents { get; private set; } = [];

    /// <summary>The last email sent and the last workflow step taken before the lead's first deposit, in words (null when not funded).</summary>
    public string? LastTouchText { get; private set; }

    /// <summary>How this lead agreed to hear from the IB.</summary>
    public ConsentRecord Consent { get; private set; } = null!;

    public Lead Lead { get; private set; } = null!;

    public string TagPrefix { get; private set; } = string.Empty;

    [BindProperty]
    public EnrolInput Enrol { get; set; } = new();

    public IReadOnlyList<IndexModel.WorkflowOption> EnrolableWorkflows { get; private set; } = [];

    public IReadOnlyList<RunView> Runs { get; private set; } = [];

    public IReadOnlyList<EmailMessage> Emails { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    /// <summary>The lead's consent evidence as a file: <c>?handler=Consent&amp;format=json</c> (the default) or <c>csv</c>.</summary>
    public async Task<IActionResult> OnGetConsentAsync(Guid id, string? format, CancellationToken cancellationToken)
    {
        if (await consents.ForLeadAsync(id, cancellationToken) is not { } record)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-store";
        return string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            ? File(System.Text.Encoding.UTF8.GetBytes(ConsentRecords.ToCsv([record], header: true)), "text/csv; charset=utf-8", $"consent-{id}.csv")
            : File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record), "application/json", $"consent-{id}.json");
    }

    /// <summary>The person asked to be erased: everything ClientFlow holds on them for this IB goes (<see cref="LeadErasure"/>).</summary>
    public async Task<IActionResult> OnPostEraseAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await erasure.EraseAsync(id, User.FindFirstValue(ClaimTypes.NameIdentifier), cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "The lead was erased: its data is gone from ClientFlow, and its tags are being taken off its Systeme.io contact. Only a hash of the address is kept, so a re-import does not bring it back.";
        return RedirectToPage("/Leads/Index");
    }

    public async Task<IActionResult> OnPostRetrySyncAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await capture.ResyncAsync(User.GetTenantId()!.Value, id, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Sync to Systeme.io queued.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostEnrolAsync(Guid id, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's lead indistinguishable from a missing one: 404.
        if (!await db.Leads.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return NotFound();
        }

        var workflow = await IndexModel.EnrolableWorkflowAsync(db, Enrol.WorkflowId, ModelState, $"{nameof(Enrol)}.{nameof(EnrolInput.WorkflowId)}", cancellationToken);
        if (workflow is null || !ModelState.IsValid)
        {
            await LoadAsync(id, cancellationToken);
            return Page();
        }

        var started = await enrolments.EnrolByHandAsync(workflow.Id, [id], cancellationToken);
        TempData["Flash"] = started == 1
            ? $"Enrolled in {workflow.Name}."
            : $"Not enrolled in {workflow.Name}: the lead is already in it, or has unsubscribed.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return false;
        }

        Lead = lead;
        Consent = (await consents.ForLeadAsync(id, cancellationToken))!;
        BrokerEvents = (await db.BrokerEvents.AsNoTracking().Where(e => e.LeadId == id).ToListAsync(cancellationToken)).OrderByDescending(e => e.ReceivedAt).ToList();
        TagPrefix = await db.Tenants.Where(t => t.Id == lead.TenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        EnrolableWorkflows = await IndexModel.EnrolableWorkflowsQuery(db).ToListAsync(cancellationToken);

        var runs = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.LeadId == id)
            .OrderByDescending(r => r.StartedAt)
            .Join(db.Workflows, r => r.WorkflowId, w => w.Id, (r, w) => new { Run = r, w.Name })
            .ToListAsync(cancellationToken);
        var runIds = runs.Select(r => r.Run.Id).ToList();
        var steps = (await db.RunSteps.AsNoTracking().Where(s => runIds.Contains(s.RunId)).ToListAsync(cancellationToken))
            .ToLookup(s => s.RunId);
        Runs = runs
            .Select(r => new RunView(r.Run, r.Name, steps[r.Run.Id].OrderBy(s => s.ExecutedAt).ThenBy(s => s.StepIndex).ToList()))
            .ToList();

        Emails = await db.EmailMessages.AsNoTracking()
            .Where(m => m.LeadId == id && m.Kind == EmailKind.Workflow)
            .OrderByDescending(m => m.CreatedAt)
            .ToListAsync(cancellationToken);

        if (lead.FundedAt is { } funded)
        {
            // Last touch: what ClientFlow did for the lead last before the broker reported its first deposit.
            var email = Emails.Where(m => m.SentAt is { } sent && sent <= funded).MaxBy(m => m.SentAt);
            var step = Runs.SelectMany(r => r.Steps.Select(s => (Step: s, r.WorkflowName))).Where(s => s.Step.ExecutedAt <= funded).MaxBy(s => s.Step.ExecutedAt);
            LastTouchText = (email is null ? "no email" : $"email \"{email.TemplateName}\" sent {email.SentAt:yyyy-MM-dd HH:mm}")
                + (step.Step is null ? string.Empty : $"; step \"{step.Step.Label}\" of {step.WorkflowName} at {step.Step.ExecutedAt:yyyy-MM-dd HH:mm}");
        }
        return true;
    }

    /// <summary>A run of this lead, the name of its workflow and what each of its steps did.</summary>
    public sealed record RunView(WorkflowRun Run, string WorkflowName, IReadOnlyList<RunStep> Steps);

    /// <summary>The "Enrol in a workflow" form.</summary>
    public sealed class EnrolInput
    {
        [Display(Name = "Workflow")]
        public Guid? WorkflowId { get; set; }
    }
}
