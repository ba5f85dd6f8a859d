using System.ComponentModel.DataAnnotations;
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
public sealed class DetailsModel(ClientFlowDbContext db, LeadCapture capture, Enrolments enrolments) : PageModel
{
    public Lead Lead { get; private set; } = null!;

    public string TagPrefix { get; private set; } = string.Empty;

    [BindProperty]
    public EnrolInput Enrol { get; set; } = new();

    public IReadOnlyList<IndexModel.WorkflowOption> EnrolableWorkflows { get; private set; } = [];

    public IReadOnlyList<RunView> Runs { get; private set; } = [];

    public IReadOnlyList<EmailMessage> Emails { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

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
